"""The SCP and RCP levels that apply to an account, read through AWS Organizations.

Levels run from the root, through each OU, down to the account; at each level
every attached policy counts (Organizations User Guide, "SCP evaluation", "RCP
evaluation"). SCPs do not restrict principals of the management account, and RCPs
do not affect its resources. A member account usually cannot read its own policies:
the rule reads them with the Lambda's own role, which can when it runs in the
management or the delegated-administrator account. Any failure to read them only
means "not evaluated" (they can only narrow access, so leaving them out can
over-report, never hide an exposure).
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.loaders.scps import load_policy_levels, load_scp_levels
from ecr_access.permissions.principal import AttachedPolicy, PolicySourceKind
from ecr_access.policy.errors import PolicyError
from ecr_access.sources.aws_errors import error_code, missing_permission


@dataclass(frozen=True, slots=True)
class ScpReading:
    levels: tuple[tuple[AttachedPolicy, ...], ...]  # empty: none applied
    note: str  # for annotations: how SCPs were (or were not) taken into account


NOT_EVALUATED = ScpReading((), "SCPs not evaluated")


# Root, at most five nested OUs ("For service control policies, the limit is five":
# Organizations API Reference, CreateOrganizationalUnit), the account.
MAX_LEVELS = 7


class ScpsUnreadable(Exception):
    """Organizations answered something the levels cannot be built from."""


def _targets(organizations: Any, account_id: str) -> list[str]:
    chain = [account_id]
    while len(chain) < MAX_LEVELS:
        parents = organizations.list_parents(ChildId=chain[-1]).get("Parents") or []
        if len(parents) != 1:
            raise ScpsUnreadable(f"{chain[-1]} has {len(parents)} parents in ListParents, expected one")
        chain.append(parents[0]["Id"])
        if parents[0].get("Type") == "ROOT":
            return list(reversed(chain))
    raise ScpsUnreadable(f"no root within {MAX_LEVELS} levels above account {account_id}")


def _policies(organizations: Any, target: str, kind: str = "SERVICE_CONTROL_POLICY") -> list[dict[str, Any]]:
    result = []
    paginator = organizations.get_paginator("list_policies_for_target")
    for page in paginator.paginate(TargetId=target, Filter=kind):
        for summary in page["Policies"]:
            policy = organizations.describe_policy(PolicyId=summary["Id"])["Policy"]
            result.append({"Name": policy["PolicySummary"]["Name"], "Content": policy["Content"]})
    return result


def read_scp_levels(organizations: Any, account_id: str) -> ScpReading:
    try:
        management = organizations.describe_organization()["Organization"]["MasterAccountId"]
        if management == account_id:
            return ScpReading((), "SCPs do not apply to the management account")
        levels = [_policies(organizations, target) for target in _targets(organizations, account_id)]
        return ScpReading(load_scp_levels(levels), f"SCPs evaluated ({len(levels)} levels)")
    except (ClientError, BotoCoreError) as exc:
        denied = missing_permission(exc, "organizations")
        detail = f"{error_code(exc)}, missing {denied}" if denied else error_code(exc)
        return ScpReading((), f"SCPs not evaluated (Organizations: {detail})")
    except (PolicyError, ScpsUnreadable) as exc:
        return ScpReading((), f"SCPs not evaluated ({exc})")
    except (KeyError, TypeError, AttributeError) as exc:  # a malformed answer: never fatal
        return ScpReading((), f"SCPs not evaluated (unexpected Organizations answer: {exc!r})")


@dataclass(frozen=True, slots=True)
class Guardrails:
    """What the organization imposes on one account, as far as it could be read."""

    scps: tuple[tuple[AttachedPolicy, ...], ...] = ()
    rcps: tuple[tuple[AttachedPolicy, ...], ...] = ()
    management_account: str | None = None
    organization_id: str | None = None
    note: str = "SCPs not evaluated"


def _failure(exc: Exception) -> str:
    if isinstance(exc, ClientError | BotoCoreError):
        denied = missing_permission(exc, "organizations")
        return f"{error_code(exc)}, missing {denied}" if denied else error_code(exc)
    if isinstance(exc, PolicyError | ScpsUnreadable):
        return str(exc)
    return f"unexpected Organizations answer: {exc!r}"


_READ_FAILURES = (
    ClientError,
    BotoCoreError,
    PolicyError,
    ScpsUnreadable,
    KeyError,
    TypeError,
    AttributeError,
)


def read_guardrails(organizations: Any, account_id: str, *, scps: bool, rcps: bool) -> Guardrails:
    """SCP levels (``scps``) and RCP levels (``rcps``) of an account; never raises."""
    asked = " and ".join(label for label, wanted in (("SCPs", scps), ("RCPs", rcps)) if wanted)
    try:
        organization = organizations.describe_organization()["Organization"]
        management, organization_id = organization["MasterAccountId"], organization.get("Id")
    except _READ_FAILURES as exc:
        return Guardrails(note=f"{asked} not evaluated (Organizations: {_failure(exc)})")
    if management == account_id:
        note = f"{asked} do not apply to the management account"
        return Guardrails((), (), management, organization_id, note)
    notes: list[str] = []
    found: dict[str, tuple[tuple[AttachedPolicy, ...], ...]] = {"SCP": (), "RCP": ()}
    wanted = [("SCP", "SERVICE_CONTROL_POLICY", scps), ("RCP", "RESOURCE_CONTROL_POLICY", rcps)]
    for label, kind, wanted_here in wanted:
        if not wanted_here:
            notes.append(f"{label}s not evaluated")
            continue
        try:
            chain = _targets(organizations, account_id)
            levels = [_policies(organizations, target, kind) for target in chain]
            loaded = load_policy_levels(
                levels, PolicySourceKind.SCP if label == "SCP" else PolicySourceKind.RCP
            )
            found[label] = loaded
            notes.append(f"{label}s evaluated ({len(levels)} levels)")
        except _READ_FAILURES as exc:
            notes.append(f"{label}s not evaluated ({_failure(exc)})")
    return Guardrails(found["SCP"], found["RCP"], management, organization_id, "; ".join(notes))
