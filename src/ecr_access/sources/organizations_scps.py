"""The SCP levels that apply to an account, read through AWS Organizations.

Levels run from the root, through each OU, down to the account; at each level
every attached SCP counts (Organizations User Guide, "SCP evaluation"). SCPs do
not restrict principals of the management account. A member account usually
cannot read its own SCPs: the rule reads them with the Lambda's own role, which
can when it runs in the management or the delegated-administrator account.
Any failure to read them only means "SCPs not evaluated" (they can only narrow
access, so leaving them out can over-report, never hide an exposure).
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.loaders.scps import load_scp_levels
from ecr_access.permissions.principal import AttachedPolicy
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


def _policies(organizations: Any, target: str) -> list[dict[str, Any]]:
    result = []
    paginator = organizations.get_paginator("list_policies_for_target")
    for page in paginator.paginate(TargetId=target, Filter="SERVICE_CONTROL_POLICY"):
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
