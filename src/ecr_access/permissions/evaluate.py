"""``evaluate_principal``: can this IAM user or role effectively call an ECR action?

Follows "Policy evaluation logic" in the IAM User Guide:
1. an explicit Deny in any policy (identity, boundary, SCP, repository) wins;
2. every SCP level from the root down to the account must allow (at least one
   SCP at each level); service-linked roles and the management account's principals
   are not restricted by SCPs (Organizations User Guide, "SCP evaluation");
3. an RCP Deny of the account that owns the repository wins too: an RCP never
   grants, and it limits requests for resources in member accounts whoever makes
   them; the management account's resources are not restricted by RCPs
   (Organizations User Guide, "Resource control policies"). RCPs are evaluated by
   their denies alone: ``RCPFullAWSAccess`` is attached to the root, every OU and
   every account and cannot be detached ("RCP evaluation"), so a level never lacks
   an Allow — and an input that omits it must not read as a denial. For service-linked roles the
   guide says only that RCPs do not stop AWS services assuming them; their RCP denies are
   not applied here either, the reading that never reports an exposure as safe;
4. an identity-based Allow counts only if the permissions boundary, when there
   is one, allows too;
5. within one account an identity-based Allow *or* a repository-policy Allow that
   names the principal suffices (a grant to a role's ARN is limited by its boundary:
   repository_principals.py); across accounts both are needed ("Cross-account policy
   evaluation logic"). A repository policy that names an account root only delegates
   to that account's identity policies.
Each step is three-valued, so a grant or a deny that depends on request facts
(source IP, VPC endpoint, MFA, tags of the repository…) yields CONDITIONAL.
"""

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.permissions.decision import AccessDecision, AccessVerdict
from ecr_access.permissions.principal import (
    AttachedPolicy,
    IamPrincipal,
    PolicySource,
    PolicySourceKind,
    PrincipalType,
)
from ecr_access.permissions.repository_principals import repository_principal_match
from ecr_access.permissions.request_context import (
    PrincipalFacts,
    RequestContext,
    build_context,
    request_values,
)
from ecr_access.permissions.resource_match import RepositoryTarget
from ecr_access.permissions.statement_eval import Hit, statement_applies, strongest
from ecr_access.permissions.tristate import Tri, all_of, any_of
from ecr_access.policy.model import Effect, Policy, Statement
from ecr_access.policy.wildcard import wildcard_match

if TYPE_CHECKING:
    from ecr_access.permissions.registries import Registry

ScpLevels = Sequence[Sequence[AttachedPolicy]]
# How a decision says the other account's repository policies were not read (and how to read them).
UNREAD = "not read: RegistryAccountIds / --repository-policies"

# Enum member lookups are slow on hot paths (a descriptor call each); bind them once.
_ALLOW, _DENY = Effect.ALLOW, Effect.DENY
_TRUE, _FALSE, _UNKNOWN = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A policy's statements that name the action, split by effect (computed once per document).

    ``static`` holds the statements whose outcome depends only on the target (no
    conditions, no policy variables): they are matched once per target, not per principal.
    """

    allows: tuple[Statement, ...]
    denies: tuple[Statement, ...]
    static: frozenset[int]


def _is_static(statement: Statement) -> bool:
    return not statement.conditions and (
        statement.resources is None or not any(p.has_variables for p in statement.resources.patterns)
    )


def _summary(statement: Statement, action: str) -> str:
    spec = statement.actions
    if spec.negated:
        actions = "NotAction " + ", ".join(spec.patterns)
    else:
        actions = ", ".join(p for p in spec.patterns if wildcard_match(p, action, case_sensitive=False))
    if statement.resources is None:
        return actions
    patterns = [p.text for p in statement.resources.patterns]
    where = ", ".join(patterns[:2]) + (", …" if len(patterns) > 2 else "")
    return f"{actions} {'not on' if statement.resources.negated else 'on'} {where}"


class PermissionEvaluator:
    """Evaluates many principals against one action and target, sharing the work per policy.

    Each distinct parsed document is prepared once (statements filtered by action),
    so a run costs principals + policies, not principals × policies.
    """

    def __init__(
        self,
        *,
        repository_arn: str | None,
        action: str = GET_DOWNLOAD_URL_FOR_LAYER,
        scps: ScpLevels = (),
        repository_policy: Policy | None = None,
        organization_id: str | None = None,
        now: float | None = None,
        resource_arn: str | None = None,
        request_facts: Mapping[str, Sequence[str]] | None = None,
        rcps: ScpLevels = (),
        management_account: str | None = None,
        repository_problem: str | None = None,
    ) -> None:
        """``resource_arn``: ask about ``action`` on any resource instead of a repository;
        ``request_facts``: condition keys known for the request (lower-cased keys), e.g.
        ``{"iam:policyarn": [...]}`` to ask whether a role may attach one given policy;
        ``rcps``: the RCP levels of the account that owns the target;
        ``management_account``: the organization's management account (SCPs and RCPs spare it);
        ``repository_problem``: the repository's policy exists but could not be read."""
        self.action = action
        if resource_arn is not None:
            self.target: RepositoryTarget | None = RepositoryTarget.of_resource(resource_arn)
        else:
            self.target = RepositoryTarget.parse(repository_arn) if repository_arn else None
        self.request_facts = {k.lower(): tuple(v) for k, v in (request_facts or {}).items()}
        self.scps = tuple(tuple(level) for level in scps)
        self.rcps = tuple(tuple(level) for level in rcps)
        self.management_account = management_account
        self.repository_problem = repository_problem
        self.repository_policy = repository_policy
        self.organization_id = organization_id
        self.now = time.time() if now is None else now
        self._prepared: dict[int, tuple[Policy, _Prepared]] = {}
        self._summaries: dict[int, tuple[Statement, str]] = {}
        # Keyed by id(): every Statement above is held by a prepared policy, so ids stay unique.
        self._static: dict[tuple[int, RepositoryTarget], Tri] = {}
        self._requests: dict[RepositoryTarget, dict[str, tuple[str, ...]]] = {}
        self._targets: dict[str, RepositoryTarget] = {}  # "any repository of this account", one each
        self._scp_levels = tuple(self._with_prepared(level) for level in self.scps)
        self._rcp_levels = tuple(self._with_prepared(level) for level in self.rcps)

    def _summary(self, statement: Statement) -> str:
        cached = self._summaries.get(id(statement))
        if cached is None or cached[0] is not statement:
            cached = (statement, _summary(statement, self.action))
            self._summaries[id(statement)] = cached
        return cached[1]

    def _prepare(self, policy: Policy) -> _Prepared:
        cached = self._prepared.get(id(policy))
        if cached is not None and cached[0] is policy:
            return cached[1]
        matching = [s for s in policy.statements if s.actions.matches(self.action)]
        prepared = _Prepared(
            tuple(s for s in matching if s.effect is _ALLOW),
            tuple(s for s in matching if s.effect is _DENY),
            frozenset(id(s) for s in matching if _is_static(s)),
        )
        self._prepared[id(policy)] = (policy, prepared)  # holding the policy keeps its id unique
        return prepared

    def _static_outcome(self, statement: Statement, target: RepositoryTarget, context: RequestContext) -> Tri:
        key = (id(statement), target)
        found = self._static.get(key)
        if found is None:
            found = statement_applies(statement, target, context)[0]
            self._static[key] = found
        return found

    def _request_values(self, target: RepositoryTarget) -> dict[str, tuple[str, ...]]:
        found = self._requests.get(target)
        if found is None:
            found = request_values(
                region=target.region,
                resource_account=target.account,
                now_epoch=self.now,
                organization_id=self.organization_id,
            )
            found.update(self.request_facts)
            self._requests[target] = found
        return found

    def _with_prepared(
        self, attached: Iterable[AttachedPolicy]
    ) -> list[tuple[AttachedPolicy, _Prepared | None]]:
        """Each policy with its statements that name the action (None: unreadable), looked up once per
        principal rather than once per effect."""
        return [(item, None if item.policy is None else self._prepare(item.policy)) for item in attached]

    def _hits(
        self,
        attached: Iterable[tuple[AttachedPolicy, _Prepared | None]],
        effect: Effect,
        target: RepositoryTarget,
        context: RequestContext,
    ) -> list[Hit]:
        hits = []
        for item, prepared in attached:
            if prepared is None:  # unreadable: it may grant or deny anything
                hits.append(Hit(item.source, None, _UNKNOWN, problem=item.problem))
                continue
            for statement in prepared.allows if effect is _ALLOW else prepared.denies:
                if id(statement) in prepared.static:
                    applies, unknown = self._static_outcome(statement, target, context), ()
                else:
                    applies, unknown = statement_applies(statement, target, context)
                if applies is not _FALSE:
                    hits.append(Hit(item.source, statement, applies, unknown))
                    if applies is _TRUE:
                        return hits
        return hits

    def _account_target(self, account: str) -> RepositoryTarget:
        found = self._targets.get(account)
        if found is None:
            found = self._targets[account] = RepositoryTarget(None, account, None)
        return found

    def _repository_hits(
        self, principal: IamPrincipal, effect: Effect, target: RepositoryTarget, context: RequestContext
    ) -> list[Hit]:
        if self.repository_policy is None:
            return []
        source = PolicySource(PolicySourceKind.REPOSITORY, target.arn or "of the repository")
        prepared = self._prepare(self.repository_policy)
        same_account = principal.account == target.account
        hits = []
        for statement in prepared.allows if effect is _ALLOW else prepared.denies:
            match, via_role = repository_principal_match(statement, principal, same_account)
            applies, unknown = statement_applies(statement, target, context, match)
            if applies is not _FALSE:
                if match is _UNKNOWN:
                    unknown = (*unknown, "the role session name")
                hits.append(Hit(source, statement, applies, unknown, via_role_arn=via_role))
        return hits

    def _resource_grant(
        self, hits: list[Hit], same_account: bool, bounded: Tri, foreign_unknown: bool
    ) -> Tri:
        """The repository policy's side of the grant (for a role's ARN, within its boundary)."""
        granted = any_of(
            hit.applies & bounded if hit.via_role_arn and same_account else hit.applies for hit in hits
        )
        if self.repository_problem is not None or (foreign_unknown and self.repository_policy is None):
            granted |= _UNKNOWN  # a policy that was not read may grant anything
        return granted

    def evaluate(
        self,
        principal: IamPrincipal,
        *,
        target: RepositoryTarget | None = None,
        foreign_policies_unknown: bool = False,
    ) -> AccessDecision:
        """``target``: another repository (or account) than the evaluator's own;
        ``foreign_policies_unknown``: the target account's repository policies were not read,
        so a cross-account grant depends on them (and its RCPs, unknown, are not applied)."""
        target = target or self.target or self._account_target(principal.account)
        facts = PrincipalFacts(
            principal.arn,
            principal.account,
            principal.type is PrincipalType.USER,
            principal.name,
            principal.unique_id,
            dict(principal.tags) if principal.tags is not None else None,
        )
        context = build_context(facts, self._request_values(target), self.now)
        spared = principal.is_service_linked
        scp_spared = spared or principal.account == self.management_account
        scps = () if scp_spared else self.scps
        scp_levels = () if scp_spared else self._scp_levels
        rcp_levels = (
            ()
            if spared or target.account == self.management_account or foreign_policies_unknown
            else self._rcp_levels
        )
        boundary = (principal.boundary,) if principal.boundary is not None else ()
        guardrails = scps  # levels that must each allow; RCP levels only deny (see the docstring)
        own = self._with_prepared(principal.policies)
        bounds = self._with_prepared(boundary)
        every_policy = [*own, *bounds, *(p for level in (*scp_levels, *rcp_levels) for p in level)]

        deny_hits = self._hits(every_policy, _DENY, target, context)
        deny_hits += self._repository_hits(principal, _DENY, target, context)
        identity_hits = self._hits(own, _ALLOW, target, context)
        deny, identity = strongest(deny_hits), strongest(identity_hits)
        bounded = strongest(self._hits(bounds, _ALLOW, target, context)) if boundary else None
        levels = [strongest(self._hits(level, _ALLOW, target, context)) for level in scp_levels]
        resource_hits = self._repository_hits(principal, _ALLOW, target, context)
        resource = strongest(resource_hits)

        def tri(hit: Hit | None) -> Tri:
            return _FALSE if hit is None else hit.applies

        bounded_tri = tri(bounded) if boundary else _TRUE
        identity_grant = tri(identity) & bounded_tri
        same_account = principal.account == target.account
        resource_grant = self._resource_grant(
            resource_hits, same_account, bounded_tri, foreign_policies_unknown
        )
        grant = identity_grant | resource_grant if same_account else identity_grant & resource_grant
        guarded = all_of(tri(hit) for hit in levels)
        identity_side = identity_grant & guarded & ~tri(deny)
        result = grant & guarded & ~tri(deny)

        def done(decision: AccessDecision) -> AccessDecision:
            if same_account:
                return decision
            return dataclasses.replace(decision, registry_account=target.account)

        if result is _TRUE:
            if same_account:
                granting = identity if identity_grant is _TRUE else resource
                return done(self._decision(AccessVerdict.ALLOWED, "Allowed by", granting))
            decision = self._decision(AccessVerdict.ALLOWED, "Allowed by", identity)
            both = f"{decision.reason}, and by the repository policy of {target.arn}"
            if resource is not None and resource.statement is not None:
                both += f" (statement {resource.statement.label})"
            return done(dataclasses.replace(decision, reason=both))
        if tri(deny) is _TRUE:
            return done(self._decision(AccessVerdict.DENIED, "Denied by", deny))
        if result is _FALSE:
            reason = self._implicit_deny(principal, target, identity, bounded, boundary, levels, guardrails)
            return done(AccessDecision(AccessVerdict.DENIED, reason))
        # Undecided. An unreadable policy among the undecided layers outranks request facts:
        # it may grant or deny anything, so the decision must say it is incomplete.
        for hit in (*deny_hits, *identity_hits, bounded, *levels):
            if hit is not None and hit.problem is not None:
                decision = self._decision(AccessVerdict.CONDITIONAL, "Undecided:", hit)
                return done(dataclasses.replace(decision, unreadable=True))
        if self.repository_problem is not None and (same_account or identity_side is not _FALSE):
            reason = f"Undecided: the repository policy of {target.arn} could not be read"
            reason += f": {self.repository_problem}"
            return done(AccessDecision(AccessVerdict.CONDITIONAL, reason, unreadable=True))
        if foreign_policies_unknown and not same_account and identity_side is _TRUE:
            verb = (
                f"Depends on the repository policies of account {target.account} ({UNREAD}); "
                "the identity side is allowed by"
            )
            return done(self._decision(AccessVerdict.CONDITIONAL, verb, identity))
        for hit in (deny, identity, bounded, *levels, resource):
            if hit is not None and hit.applies is _UNKNOWN:
                return done(self._decision(AccessVerdict.CONDITIONAL, "Depends on request facts:", hit))
        return done(AccessDecision(AccessVerdict.CONDITIONAL, "Depends on request facts"))  # pragma: no cover

    def _decision(self, verdict: AccessVerdict, verb: str, hit: Hit | None) -> AccessDecision:
        assert hit is not None
        statement = hit.statement
        if statement is None:
            return AccessDecision(
                verdict, f"{verb} {hit.source.describe()}, which could not be read: {hit.problem}", hit.source
            )
        facts = f" ({', '.join(hit.unknown_keys)})" if hit.unknown_keys else ""
        summary = self._summary(statement)
        reason = f"{verb} {hit.source.describe()}, statement {statement.label} ({summary}){facts}"
        patterns = tuple(p.text for p in statement.resources.patterns) if statement.resources else ("*",)
        return AccessDecision(
            verdict, reason, hit.source, statement.index, statement.sid, patterns, hit.unknown_keys
        )

    def _implicit_deny(
        self,
        principal: IamPrincipal,
        target: RepositoryTarget,
        identity: Hit | None,
        bounded: Hit | None,
        boundary: tuple[AttachedPolicy, ...],
        levels: list[Hit | None],
        scps: tuple[tuple[AttachedPolicy, ...], ...],
    ) -> str:
        action = self.action
        for number, (hit, level) in enumerate(zip(levels, scps, strict=True)):
            if hit is None:
                names = ", ".join(p.source.name for p in level) or "none"
                return f"No SCP at level {number} ({names}) allows {action}"
        if identity is not None and boundary and bounded is None:
            described = boundary[0].source.describe()
            return f"{described[0].upper()}{described[1:]} does not allow {action}"
        if principal.account != target.account:
            if identity is None:
                return f"No identity policy allows {action} (the repository is in account {target.account})"
            if self.repository_policy is None:
                return (
                    f"The repository is in account {target.account}: a cross-account pull also needs its "
                    "repository policy to allow it, and it has none"
                )
            return f"The repository policy (account {target.account}) does not grant this principal {action}"
        return f"No identity policy or repository policy allows {action}"


def evaluate_principal(
    principal: IamPrincipal,
    *,
    repository_arn: str | None,
    action: str = GET_DOWNLOAD_URL_FOR_LAYER,
    scps: ScpLevels = (),
    repository_policy: Policy | None = None,
    rcps: ScpLevels = (),
    management_account: str | None = None,
    registries: Iterable["Registry"] = (),
) -> AccessDecision:
    """Decide one principal; to decide many, reuse one PermissionEvaluator (or PullEvaluator).

    With no ``repository_arn`` the question is PullEvaluator's: any repository, in the
    principal's account or another (``registries``: other accounts' repositories, as read)."""
    if repository_arn is None and repository_policy is None:
        from ecr_access.permissions.pull_reach import PullEvaluator

        reach = PullEvaluator(
            scps=scps, rcps=rcps, registries=registries, management_account=management_account, action=action
        )
        return reach.evaluate(principal)
    evaluator = PermissionEvaluator(
        repository_arn=repository_arn,
        action=action,
        scps=scps,
        repository_policy=repository_policy,
        rcps=rcps,
        management_account=management_account,
    )
    return evaluator.evaluate(principal)
