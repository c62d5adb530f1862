"""``analyze_repository_policy``: who outside the zone of trust can reach a repository.

Semantics, in short (details in the modules it uses):
- PUBLIC: a grant whose callers are not bounded to a fixed set of accounts or
  organizations — the rule Amazon S3 applies to decide that a bucket policy is
  public (S3 User Guide, "The meaning of public"), applied to ECR.
- CROSS_ACCOUNT_UNTRUSTED: bounded, but reaching an account or organization
  outside owner + trusted, a service principal not tied to a trusted account,
  or a grant bounded only by a narrow network condition.
- RESTRICTED: neither.
Deny statements of the same policy are applied first (explicit deny wins), and so
are the Deny statements of the owner account's RCPs when given: an RCP limits every
request for resources in a member account, whoever makes it, and never grants
(Organizations User Guide, "Resource control policies"; pass none for the management
account, whose resources RCPs do not affect). Only ``ecr:`` repository actions count,
and ``pull_exposed`` is about ``ecr:GetDownloadUrlForLayer``.
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ecr_access.aws_identifiers import ACCOUNT_ID, ORGANIZATION_ID
from ecr_access.ecr_actions import (
    GET_DOWNLOAD_URL_FOR_LAYER,
    REPOSITORY_ACTIONS,
    covers_action,
    repository_actions_granted,
)
from ecr_access.ecr_quotas import ECR_POLICY_MAX_CHARS
from ecr_access.exposure.carve_outs import CarveOut, carve_outs
from ecr_access.exposure.grants import Grantee, grantees
from ecr_access.exposure.limits import Classification, Limit, Reach, TrustZone, classify
from ecr_access.exposure.repository_resources import allow_covers_repository
from ecr_access.exposure.verdict import ExposureVerdict, Finding, RepositoryExposure
from ecr_access.policy.json_text import decoded_text
from ecr_access.policy.model import ActionSpec, Effect, Policy, Statement
from ecr_access.policy.parse import parse_policy_text

# How a PUBLIC finding's reason ends; reports that hold only the text (scan's severity) read it by these.
NO_CONDITION, NO_BOUNDING_CONDITION = (
    "no org/account condition",
    "no condition bounds it to fixed accounts or organizations",
)
PUBLIC_REASONS = (NO_CONDITION, NO_BOUNDING_CONDITION)
_VERDICT_OF = {Reach.PUBLIC: ExposureVerdict.PUBLIC, Reach.UNTRUSTED: ExposureVerdict.CROSS_ACCOUNT_UNTRUSTED}
_NO_POLICY = RepositoryExposure(ExposureVerdict.RESTRICTED, False, (), has_policy=False)


@lru_cache(maxsize=256)
def _trust_zone(
    owner_account: str,
    trusted_accounts: tuple[str, ...],
    trusted_org_ids: tuple[str, ...],
    owner_org_id: str | None = None,
) -> TrustZone:
    accounts = frozenset({owner_account, *trusted_accounts})
    organizations = frozenset(o.lower() if isinstance(o, str) else o for o in trusted_org_ids)
    for account in accounts:
        if not isinstance(account, str) or not ACCOUNT_ID.match(account):
            raise ValueError(f"account id {account!r} is not 12 digits")
    for org in organizations:
        if not isinstance(org, str) or not ORGANIZATION_ID.match(org):
            raise ValueError(f"organization id {org!r} does not look like o-xxxxxxxxxx")
    if owner_org_id is not None and not ORGANIZATION_ID.match(owner_org_id):
        raise ValueError(f"organization id {owner_org_id!r} does not look like o-xxxxxxxxxx")
    return TrustZone(accounts, organizations, owner_org_id, owner_account)


def _actions_text(actions: tuple[str, ...]) -> str:
    if len(actions) >= len(REPOSITORY_ACTIONS):
        return "every ecr action"
    shown = ", ".join(actions[:3])
    return shown + (f" and {len(actions) - 3} more" if len(actions) > 3 else "")


def _reason(
    statement: Statement, grantee: Grantee, found: Classification, actions: tuple[str, ...], zone: TrustZone
) -> str:
    does = f"lets {grantee.who} call {_actions_text(actions)}"
    limit = found.deciding
    if found.reach is Reach.PUBLIC:
        why = NO_CONDITION if not statement.conditions else NO_BOUNDING_CONDITION
        return f"{does}; {why}"
    if limit is None:  # a service principal with no aws:Source* condition
        return (
            f"{does} for any account; no aws:SourceAccount/SourceArn/SourceOrgID condition (confused deputy)"
        )
    if not limit.members:
        return f"{does}; only the network condition {limit.source} limits it, not the caller's account"
    outside = sorted(str(m) for m in limit.members if not zone.contains(m))
    shown = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more" if len(outside) > 3 else "")
    return f"{does}; {shown} {'is' if len(outside) == 1 else 'are'} not trusted"


@lru_cache(maxsize=8192)
def _deny_groups(
    allow: ActionSpec, denies: tuple[ActionSpec, ...]
) -> tuple[tuple[tuple[int, ...], tuple[str, ...]], ...]:
    """The granted actions grouped by which Deny statements cover them (cached by element shape)."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for action in repository_actions_granted(allow):
        key = tuple(i for i, deny in enumerate(denies) if covers_action(deny, action))
        groups.setdefault(key, []).append(action)
    return tuple((key, tuple(actions)) for key, actions in groups.items())


def _classify(grantee: Grantee, limits: list[Limit], zone: TrustZone) -> Classification:
    found = classify(limits, zone)
    if grantee.is_service and found.reach is Reach.PUBLIC:
        return Classification(Reach.UNTRUSTED, None)  # bounded to AWS, not to an account
    return found


def _statement_finding(
    statement: Statement,
    denies: list[CarveOut],
    deny_actions: tuple[ActionSpec, ...],
    zone: TrustZone,
    repository_arn: str | None,
    services_exempt: bool = False,
) -> Finding | None:
    granted = repository_actions_granted(statement.actions)
    if not granted or not allow_covers_repository(statement.resources, repository_arn):
        return None
    groups = _deny_groups(statement.actions, deny_actions)
    exposed: list[tuple[Classification, Grantee, tuple[str, ...]]] = []
    for grantee in grantees(statement):
        if services_exempt and grantee.is_service:
            continue  # e.g. an endpoint policy's documented exception for AWS service principals
        if _classify(grantee, list(grantee.limits), zone).reach not in _VERDICT_OF:
            continue  # a Deny can only narrow a grant that already stays inside the zone
        spared = [deny.spares(grantee) for deny in denies]
        for deny_ids, actions in groups:
            limits = [*grantee.limits, *(limit for i in deny_ids if (limit := spared[i]) is not None)]
            found = _classify(grantee, limits, zone)
            if found.reach in _VERDICT_OF:
                exposed.append((found, grantee, actions))
    if not exposed:
        return None
    worst = max(exposed, key=lambda e: e[0].reach.value)
    actions = tuple(a for a in granted if any(a in e[2] for e in exposed))
    principals = tuple(dict.fromkeys(e[1].label for e in exposed))
    reason = _reason(statement, worst[1], worst[0], worst[2], zone)
    if len(principals) > 1:
        reason += f" (+{len(principals) - 1} more principals)"
    return Finding(
        statement.index,
        statement.sid,
        _VERDICT_OF[worst[0].reach],
        principals,
        actions,
        GET_DOWNLOAD_URL_FOR_LAYER in actions,
        reason,
    )


def _analyze(
    policy: Policy,
    zone: TrustZone,
    repository_arn: str | None,
    rcp_denies: tuple[Statement, ...],
    services_exempt: bool = False,
) -> RepositoryExposure:
    owner = zone.owner
    denies = [
        c
        for s in (*policy.statements, *rcp_denies)
        if s.effect is Effect.DENY and (c := carve_outs(s, owner, repository_arn)) is not None
    ]
    deny_actions = tuple(d.actions for d in denies)
    findings = tuple(
        finding
        for s in policy.statements
        if s.effect is Effect.ALLOW
        and (finding := _statement_finding(s, denies, deny_actions, zone, repository_arn, services_exempt))
        is not None
    )
    verdict = max((f.verdict for f in findings), key=lambda v: v.severity, default=ExposureVerdict.RESTRICTED)
    return RepositoryExposure(verdict, any(f.pull_exposed for f in findings), findings, has_policy=True)


@lru_cache(maxsize=4096)
def _analyze_text(
    text: str, zone: TrustZone, repository_arn: str | None, rcp_denies: tuple[Statement, ...]
) -> RepositoryExposure:
    return _analyze(parse_policy_text(text, max_chars=ECR_POLICY_MAX_CHARS), zone, repository_arn, rcp_denies)


def _rcp_denies(rcps: Iterable[Iterable[Any]]) -> tuple[Statement, ...]:
    """Every Deny of every RCP level (an unreadable RCP is left out: it can only narrow)."""
    denies = []
    for level in rcps:
        for attached in level:
            policy = getattr(attached, "policy", attached)
            if isinstance(policy, Policy):
                denies.extend(s for s in policy.statements if s.effect is Effect.DENY)
    return tuple(denies)


def _is_absent(policy: Any) -> bool:
    if policy is None:
        return True
    if isinstance(policy, Mapping):
        return not policy
    return isinstance(policy, str) and policy.strip() == "{}"


def analyze_repository_policy(
    policy: str | Mapping[str, Any] | None,
    *,
    owner_account: str,
    trusted_accounts: Iterable[str] = (),
    trusted_org_ids: Iterable[str] = (),
    repository_arn: str | None = None,
    rcps: Iterable[Iterable[Any]] = (),
    owner_org_id: str | None = None,
) -> RepositoryExposure:
    """Judge a repository policy as ECR or AWS Config hands it over.

    ``policy`` is the JSON text, ``{}``/``"{}"``/None for no policy, or a decoded
    dict. ``repository_arn``: the repository the policy is attached to (Deny and Allow
    statements with a Resource are matched against it); ``rcps``: the owner account's RCP
    levels (AttachedPolicy or Policy items); ``owner_org_id``: the owner's organization,
    which ``${aws:ResourceOrgID}`` names. Raises ``PolicyError`` for a document that cannot
    be judged and ``ValueError`` for a malformed account or organization id.
    """
    zone = _trust_zone(owner_account, tuple(trusted_accounts), tuple(trusted_org_ids), owner_org_id)
    denies = _rcp_denies(rcps)
    if _is_absent(policy):
        return _NO_POLICY
    if isinstance(policy, str):
        return _analyze_text(policy, zone, repository_arn, denies)
    if isinstance(policy, Mapping):
        # Same limits as text: ECR counts the characters of the stored JSON.
        return _analyze_text(decoded_text(policy), zone, repository_arn, denies)
    raise ValueError(f"a repository policy must be JSON text or a dict, not {type(policy).__name__}")


def analyze_parsed_policy(
    policy: Policy,
    *,
    owner_account: str,
    trusted_accounts: Iterable[str] = (),
    trusted_org_ids: Iterable[str] = (),
    services_exempt: bool = False,
) -> RepositoryExposure:
    """Who outside the zone a resource-style policy already parsed lets call ECR repository actions on
    any repository. For policies that are not repository policies (a VPC endpoint's, judged like one:
    VPC User Guide, "Control access to VPC endpoints using endpoint policies"); ``services_exempt``
    leaves AWS service principals out."""
    zone = _trust_zone(owner_account, tuple(trusted_accounts), tuple(trusted_org_ids))
    return _analyze(policy, zone, None, (), services_exempt)
