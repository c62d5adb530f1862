"""What the rendered SCP and RCP would change, decided by the engine before anything is attached.

Every principal is evaluated twice with the same PullEvaluator question — can it download
layers from any repository, in its account or another — once with the organization's
policies as given and once with the rendered SCP added at the root level and the
rendered RCP on the accounts' repositories. The answer:
- principals that **lose** pull: the pipelines that would break;
- principals that **keep** it: each must be allow-listed, by ARN pattern or tag (what the
  SCP can express; ``AllowedServicePrincipals`` cannot be), else the check fails;
- principals that keep it only from the exempt networks (the decision depends on
  ``aws:SourceVpce``/``aws:SourceIp`` alone): reported, not a failure — that is what a
  network exemption means.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ecr_access.config_rules.allow_list import AllowList
from ecr_access.perimeter.policies import PerimeterSettings, RenderedPolicy
from ecr_access.permissions import (
    AccessDecision,
    AccessVerdict,
    AttachedPolicy,
    IamPrincipal,
    PolicySource,
    PolicySourceKind,
    PullEvaluator,
    Registry,
)
from ecr_access.policy.parse import parse_policy_text

NETWORK_KEYS = frozenset({"aws:sourcevpce", "aws:sourceip"})  # condition keys are case-insensitive
_FULL_ACCESS = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


@dataclass(frozen=True, slots=True)
class Impact:
    principal: IamPrincipal
    before: AccessDecision
    after: AccessDecision
    allow_listed: str | None  # how, when it is

    @property
    def loses_pull(self) -> bool:
        return self.before.verdict is not AccessVerdict.DENIED and self.after.verdict is AccessVerdict.DENIED

    @property
    def network_only(self) -> bool:
        unknown = {key.lower() for key in self.after.unknown_keys}
        return self.after.verdict is AccessVerdict.CONDITIONAL and bool(unknown) and unknown <= NETWORK_KEYS

    @property
    def keeps_pull(self) -> bool:
        return self.after.verdict is not AccessVerdict.DENIED and not self.network_only

    @property
    def violates(self) -> bool:
        """It can still pull after the perimeter, and nothing the SCP expresses allow-lists it."""
        return self.keeps_pull and self.allow_listed is None


def _attached(policy: RenderedPolicy | None, kind: PolicySourceKind, name: str) -> tuple[AttachedPolicy, ...]:
    if policy is None:
        return ()
    return (AttachedPolicy(PolicySource(kind, name, level=0), parse_policy_text(policy.text)),)


def _with_root(
    levels: Sequence[Sequence[AttachedPolicy]], added: tuple[AttachedPolicy, ...], kind: PolicySourceKind
) -> tuple[tuple[AttachedPolicy, ...], ...]:
    """The levels with ``added`` at the root. With no SCP levels given, the root carries FullAWSAccess
    (an SCP level needs an Allow); RCPs are judged by their denies alone, so they need none."""
    if not added:
        return tuple(tuple(level) for level in levels)
    root: tuple[AttachedPolicy, ...] = tuple(levels[0]) if levels else ()
    if not levels and kind is PolicySourceKind.SCP:
        root = (
            AttachedPolicy(PolicySource(kind, "FullAWSAccess", level=0), parse_policy_text(_FULL_ACCESS)),
        )
    return ((*root, *added), *(tuple(level) for level in levels[1:]))


def perimeter_impact(
    principals: Iterable[IamPrincipal],
    settings: PerimeterSettings,
    *,
    scp: RenderedPolicy | None,
    rcp: RenderedPolicy | None,
    scps: Sequence[Sequence[AttachedPolicy]] = (),
    rcps: Sequence[Sequence[AttachedPolicy]] = (),
    registries: Iterable[Registry] = (),
    organization_id: str | None = None,
    management_account: str | None = None,
) -> list[Impact]:
    registries = tuple(registries)
    common = {
        "registries": registries,
        "organization_id": organization_id,
        "management_account": management_account,
    }
    before = PullEvaluator(scps=scps, rcps=rcps, **common)
    added_scp = _attached(scp, PolicySourceKind.SCP, "ecr-access-layer-download-perimeter")
    added_rcp = _attached(rcp, PolicySourceKind.RCP, "ecr-access-identity-perimeter")
    after = PullEvaluator(
        scps=_with_root(scps, added_scp, PolicySourceKind.SCP),
        rcps=_with_root(rcps, added_rcp, PolicySourceKind.RCP),
        **common,
    )
    allow_list = AllowList(
        settings.allowed_arn_patterns, settings.allowed_tag_key, settings.allowed_tag_value
    )
    return [
        Impact(p, before.evaluate(p), after.evaluate(p), allow_list.entry_for(p))
        for p in principals
        if not p.is_service_linked
    ]
