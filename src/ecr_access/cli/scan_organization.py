"""``ecr-access scan --org`` / ``--accounts``: the rules in many accounts, concurrently, one report.

From the management or a delegated-administrator account: ``organizations:ListAccounts``
(paginated; only ``ACTIVE`` accounts: a suspended account cannot be entered), then in
each account the role ``--role-name`` (default: the rules' execution role, which every
member stack creates with exactly the reads the rules need) is assumed and the account is
scanned like ``scan`` does — in every Region enabled for it unless ``--region`` narrows.
Accounts run concurrently (``--max-concurrency``, default 8: boto3 clients are thread-safe,
sessions are per thread), Regions in turn within an account. An account that cannot be
entered or read is one NOT_EVALUATED row naming it and why; the others go on.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.cli.compliance_report import NOT_EVALUATED, ComplianceRow
from ecr_access.cli.exit_codes import UsageError
from ecr_access.sources.aws_errors import describe_error

SESSION_NAME = "ecr-access-scan"


def organization_accounts(session: boto3.Session) -> list[str]:
    try:
        pages = session.client("organizations").get_paginator("list_accounts").paginate()
        return sorted(
            a["Id"] for page in pages for a in page["Accounts"] if a.get("Status", "ACTIVE") == "ACTIVE"
        )
    except (ClientError, BotoCoreError) as exc:
        raise UsageError(
            f"cannot list the organization's accounts ({describe_error(exc, 'organizations')}): run from the "
            "management or a delegated-administrator account, or name them with --accounts"
        ) from exc


def _session_in(session: boto3.Session, account: str, role: str, region: str) -> boto3.Session:
    credentials = session.client("sts").assume_role(RoleArn=role, RoleSessionName=SESSION_NAME)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def scan_accounts(
    session: boto3.Session,
    accounts: list[str],
    *,
    role_name: str,
    scan_one: Callable[[boto3.Session], tuple[Any, list[ComplianceRow]]],
    max_concurrency: int = 8,
    on_done: Callable[[str, int], None] | None = None,
) -> tuple[list[ComplianceRow], dict[str, Any]]:
    """Every account's rows (each tagged with its account), and per account its target or error.
    ``scan_one(session)`` scans the account a session is in."""
    home = session.region_name or "us-east-1"
    partition = session.client("sts").get_caller_identity()["Arn"].split(":")[1]

    def one(account: str) -> tuple[str, Any, list[ComplianceRow]]:
        try:
            role = f"arn:{partition}:iam::{account}:role/{role_name}"
            target, rows = scan_one(_session_in(session, account, role, home))
            return account, target, [replace(r, account=account) for r in rows]
        except Exception as exc:  # one account's failure, even a bug, never stops the others
            if isinstance(exc, ClientError | BotoCoreError):
                why = describe_error(exc, "sts")
            elif isinstance(exc, UsageError):
                why = str(exc)
            else:
                why = f"internal error: {type(exc).__name__}: {str(exc)[:200]}"
            row = ComplianceRow(
                "—",
                "—",
                "AWS::::Account",
                account,
                account,
                NOT_EVALUATED,
                f"account {account}: {why}",
                account,
            )
            return account, None, [row]

    rows: list[ComplianceRow] = []
    targets: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=max(1, max_concurrency)) as pool:
        for future in as_completed([pool.submit(one, a) for a in accounts]):
            account, target, found = future.result()
            rows.extend(found)
            targets[account] = target
            if on_done is not None:
                on_done(account, len(found))
    return rows, targets
