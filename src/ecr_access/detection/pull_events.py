"""A CloudTrail-recorded layer download, judged as it happens against the rule's own allow-list.

``GetDownloadUrlForLayer`` (one event per layer) and ``BatchGetImage`` (the manifest) are
read-only management events from ``ecr.amazonaws.com``. A pull is a finding when any of:
- the caller is an IAM principal the allow-list does not approve (the same ``AllowList``
  class ``ECR_LAYER_DOWNLOAD_RESTRICTED`` uses: one code path, not a copy). Tag and
  trust-policy entries need the principal's IAM record; without it only ARN patterns can
  approve, and the finding says so;
- the caller belongs to another account than the registry and that account is not trusted;
- expected networks are set and the call came from neither an expected VPC endpoint
  (``vpcEndpointId``) nor an expected CIDR (``sourceIPAddress``) — unless a service made
  the call on the caller's behalf (``invokedBy``: the address is the service's).
A failed call (``errorCode``) pulled nothing and is not a pull. AWS service principals
pull through the repository policy, which ``ECR_REPO_NOT_PUBLIC`` judges.
"""

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ecr_access.config_rules.allow_list import AllowList
from ecr_access.detection.callers import Caller, CallerType, caller_of
from ecr_access.permissions.principal import IamPrincipal, PrincipalType

PULL_EVENTS = frozenset({"GetDownloadUrlForLayer", "BatchGetImage"})
ECR_SOURCE = "ecr.amazonaws.com"


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    allow_list: AllowList = field(default_factory=AllowList)
    trusted_accounts: frozenset[str] = frozenset()
    expected_vpc_endpoints: frozenset[str] = frozenset()
    expected_cidrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pull:
    """One recorded pull call: who, from where, of what."""

    caller: Caller
    event_name: str
    event_time: str
    event_id: str
    region: str
    registry: str
    repository: str
    source_ip: str | None
    vpc_endpoint: str | None

    @property
    def repository_arn(self) -> str:
        return f"arn:aws:ecr:{self.region}:{self.registry}:repository/{self.repository}"


@dataclass(frozen=True, slots=True)
class PullFinding:
    pull: Pull
    reasons: tuple[str, ...]
    not_allow_listed: bool = False  # the caller itself is not approved (not only where it pulled from)


def pull_of(record: dict[str, Any]) -> Pull | None:
    """The pull a CloudTrail record describes, or None (another event, a failed call, no repository)."""
    if record.get("eventSource") != ECR_SOURCE or record.get("eventName") not in PULL_EVENTS:
        return None
    if record.get("errorCode"):
        return None
    parameters = record.get("requestParameters") if isinstance(record.get("requestParameters"), dict) else {}
    repository = parameters.get("repositoryName")
    registry = parameters.get("registryId") or record.get("recipientAccountId")
    if not isinstance(repository, str) or not isinstance(registry, str):
        return None
    return Pull(
        caller_of(record),
        record["eventName"],
        str(record.get("eventTime", "")),
        str(record.get("eventID", "")),
        str(record.get("awsRegion", "")),
        registry,
        repository,
        record.get("sourceIPAddress") if isinstance(record.get("sourceIPAddress"), str) else None,
        record.get("vpcEndpointId") if isinstance(record.get("vpcEndpointId"), str) else None,
    )


def _in_cidrs(address: str | None, cidrs: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _stand_in(caller: Caller) -> IamPrincipal:
    """An IamPrincipal with only what the event says (no tags, no trust policy)."""
    kind = PrincipalType.USER if caller.type is CallerType.USER else PrincipalType.ROLE
    name = (caller.principal_arn or "").rsplit("/", 1)[-1]
    return IamPrincipal(kind, name, "", caller.principal_arn or "", "/", caller.account or "", ())


def judge_pull(
    pull: Pull, settings: DetectionSettings, principal: IamPrincipal | None = None
) -> PullFinding | None:
    """``principal``: the caller's IAM record when it was read (tags, trust policy), else None."""
    caller, reasons, not_approved = pull.caller, [], False
    if caller.type is CallerType.SERVICE:
        return None
    if caller.principal_arn is None:
        reasons.append(f"a {caller.type.value} caller the allow-list cannot name")
    else:
        entry = settings.allow_list.entry_for(principal or _stand_in(caller))
        if entry is None:
            not_approved = True
            unread = principal is None and (
                settings.allow_list.tag_key is not None or settings.allow_list.service_principals
            )
            reasons.append(
                f"{caller.principal_arn} is not allow-listed"
                + (" by ARN (its tags and trust policy were not read)" if unread else "")
            )
    if caller.account and caller.account != pull.registry and caller.account not in settings.trusted_accounts:
        reasons.append(f"account {caller.account} pulls from registry {pull.registry} and is not trusted")
    expected = settings.expected_vpc_endpoints or settings.expected_cidrs
    if expected and caller.invoked_by is None:
        via_endpoint = pull.vpc_endpoint is not None and pull.vpc_endpoint in settings.expected_vpc_endpoints
        if not via_endpoint and not _in_cidrs(pull.source_ip, settings.expected_cidrs):
            where = pull.vpc_endpoint or pull.source_ip or "an unknown address"
            reasons.append(f"from {where}, outside the expected networks")
    return PullFinding(pull, tuple(reasons), not_approved) if reasons else None
