"""``ecr-access who-can-pull``: every IAM principal's effective ecr:GetDownloadUrlForLayer."""

import argparse
import sys
from typing import Any

from ecr_access.aws_identifiers import ORGANIZATION_ID
from ecr_access.cli import json_output
from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.json_input import read_json
from ecr_access.loaders.account import AccountAuthorization
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.loaders.repository_policies import load_repository_policies
from ecr_access.loaders.scps import load_rcp_levels, load_scp_levels
from ecr_access.permissions import (
    AccessDecision,
    AccessVerdict,
    IamPrincipal,
    PermissionEvaluator,
    PullEvaluator,
)
from ecr_access.policy import PolicyError

_ORDER = {AccessVerdict.ALLOWED: 0, AccessVerdict.CONDITIONAL: 1, AccessVerdict.DENIED: 2}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "who-can-pull",
        help="which IAM users and roles can effectively call ecr:GetDownloadUrlForLayer",
        description="Evaluate every user and role of an authorization-details dump. "
        "Exit 0 when none is ALLOWED or CONDITIONAL, 1 otherwise, 2 on invalid input.",
    )
    parser.add_argument(
        "--authorization-details",
        required=True,
        metavar="FILE",
        help="output of 'aws iam get-account-authorization-details' (one page or a list of pages)",
    )
    parser.add_argument(
        "--repository-arn",
        help="one repository; default: any repository, in the account or another account's registry",
    )
    parser.add_argument(
        "--scps", metavar="FILE", help="JSON list of SCP levels, root first, each a list of SCPs"
    )
    parser.add_argument(
        "--rcps",
        metavar="FILE",
        help="JSON list of the account's RCP levels, root first (RCPs limit requests for its repositories)",
    )
    parser.add_argument(
        "--management-account",
        action="store_true",
        help="the dump is of the organization's management account (SCPs and RCPs do not apply to it)",
    )
    parser.add_argument(
        "--organization-id", help="the account's organization (o-…): decides aws:PrincipalOrgID conditions"
    )
    parser.add_argument(
        "--repository-policies",
        metavar="FILE",
        help="other accounts' repositories: 'aws ecr get-repository-policy' output, one or a list; "
        "cross-account pulls from the accounts listed are decided exactly",
    )
    parser.add_argument(
        "--registry-region", help="Region of --repository-policies entries that carry none (e.g. us-east-1)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def _rows(results: list[tuple[IamPrincipal, AccessDecision]]) -> list[dict[str, str]]:
    ordered = sorted(results, key=lambda r: (_ORDER[r[1].verdict], r[0].type.value, r[0].name))
    return [
        {
            "arn": p.arn,
            "type": p.type.value,
            "name": p.name,
            "id": p.unique_id,
            "verdict": d.verdict.value,
            "reason": d.reason,
            **({"registry_account": d.registry_account} if d.registry_account else {}),
        }
        for p, d in ordered
    ]


def render_text(rows: list[dict[str, str]], columns: int | None = None) -> str:
    """scan's layout (text_layout.py): aligned columns on a wide terminal, one block per principal below
    100 columns and when piped."""
    from ecr_access.cli import text_layout

    cells = [(r["type"], r["name"], r["verdict"], r["reason"]) for r in rows]
    lines = text_layout.report(("TYPE", "NAME", "VERDICT", "REASON"), cells, columns)
    counts = {v: sum(r["verdict"] == v.value for r in rows) for v in AccessVerdict}
    lines.append(
        f"\n{len(rows)} principals: {counts[AccessVerdict.ALLOWED]} ALLOWED, "
        f"{counts[AccessVerdict.CONDITIONAL]} CONDITIONAL, {counts[AccessVerdict.DENIED]} DENIED"
    )
    return "\n".join(lines)


_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_pages(details: Any, name: str) -> list[dict[str, Any]]:
    """The dump's pages, or UsageError when it is not a complete GetAccountAuthorizationDetails output.

    A wrong file must never read as "0 principals" (a CI gate would pass on it): an object
    with none of the four detail lists, a page that is not an object, or a last page that
    says more follow (IsTruncated, or the CLI's NextToken under --max-items) is refused.
    """
    pages = details if isinstance(details, list) else [details]
    if not pages:
        raise UsageError(f"{name} is an empty list, not authorization-details output")
    for number, page in enumerate(pages, 1):
        where = name if len(pages) == 1 else f"{name} page {number}"
        if not isinstance(page, dict) or not any(key in page for key in _DETAIL_LISTS):
            raise UsageError(
                f"{where} is not 'aws iam get-account-authorization-details' output "
                f"(it has none of {', '.join(_DETAIL_LISTS)})"
            )
        for key in _DETAIL_LISTS:
            if key in page and not isinstance(page[key], list):
                raise UsageError(f"{where}: {key} must be a list")
    last = pages[-1]
    if last.get("IsTruncated") is True or last.get("NextToken"):
        raise UsageError(
            f"{name} is truncated (more pages follow): fetch every page "
            "(the AWS CLI does unless --max-items is given)"
        )
    return pages


def run(args: argparse.Namespace) -> ExitCode:
    from ecr_access.cli.collector import collector_paused

    with collector_paused():
        return _run(args)


def _load_account(path: str) -> AccountAuthorization:
    """The account's principals; the decoded dump is freed on return, once the model holds what it needs
    (it is the largest thing the command ever holds: issue "Performance")."""
    return load_authorization_details(authorization_pages(read_json(path), path))


def _run(args: argparse.Namespace) -> ExitCode:
    try:
        account = _load_account(args.authorization_details)
        scps = load_scp_levels(read_json(args.scps)) if args.scps else ()
        rcps = load_rcp_levels(read_json(args.rcps)) if args.rcps else ()
        registries = (
            load_repository_policies(read_json(args.repository_policies), default_region=args.registry_region)
            if args.repository_policies
            else []
        )
    except PolicyError as exc:
        raise UsageError(str(exc)) from exc
    if args.organization_id is not None and not ORGANIZATION_ID.match(args.organization_id):
        raise UsageError(f"--organization-id {args.organization_id!r} is not an organization id (o-…)")
    owners = {p.account for p in account.principals}
    management = next(iter(owners)) if args.management_account and len(owners) == 1 else None
    common = {
        "scps": scps,
        "rcps": rcps,
        "organization_id": args.organization_id,
        "management_account": management,
    }
    evaluator: PermissionEvaluator | PullEvaluator
    if args.repository_arn:
        evaluator = PermissionEvaluator(repository_arn=args.repository_arn, **common)
    else:
        evaluator = PullEvaluator(registries=registries, **common)
    rows = _rows([(p, evaluator.evaluate(p)) for p in account.principals])
    if args.format == "json":
        json_output.write(rows, sys.stdout)
    else:
        print(render_text(rows))
    for rejected in account.rejected:
        print(f"ecr-access: not evaluated: {rejected}", file=sys.stderr)
    if account.rejected:
        return ExitCode.INVALID_INPUT  # an incomplete answer is never a pass
    exposed = any(r["verdict"] != AccessVerdict.DENIED.value for r in rows)
    return ExitCode.EXPOSED if exposed else ExitCode.OK
