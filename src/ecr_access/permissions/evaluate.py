"""``evaluate_principal``: can this IAM user or role effectively call an ECR action?

Follows "Policy evaluation logic" in the IAM User Guide:
1. an explicit Deny in any policy (identity, boundary, SCP, repository) wins;
2. every SCP level from the root down to the account must allow (at least one
   SCP at each level); service-linked roles are not restricted by SCPs;
3. an identity-based Allow counts only if the permissions boundary, when there
   is one, allows too;
4. within one account an identity-based Allow *or* a repository-policy Allow that
   names the principal suffices; across accounts both are needed. A repository
   policy that names an account root only delegates to that account's identity
   policies.
Each step is three-valued, so a grant or a deny that depends on request facts
(source IP, VPC endpoint, MFA, tags of the repository…) yields CONDITIONAL.
"""

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.permissions.decision import AccessDecision, AccessVerdict
from ecr_access.permissions.principal import (
    AttachedPolicy,
    IamPrincipal,
    PolicySource,
    PolicySourceKind,
    PrincipalType,
)
from ecr_access.permissions.request_context import (
    PrincipalFacts,
    RequestContext,
    build_context,
    request_values,
)
from ecr_access.permissions.resource_match import RepositoryTarget
from ecr_access.permissions.statement_eval import Hit, statement_applies, strongest
from ecr_access.permissions.tristate import Tri, all_of
from ecr_access.policy.model import Effect, Policy, Principal, PrincipalKind, Statement
from ecr_access.policy.wildcard import wildcard_match

ScpLevels = Sequence[Sequence[AttachedPolicy]]

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


def _repository_principal_match(statement: Statement, principal: IamPrincipal, same_account: bool) -> Tri:
    """Whether a repository-policy statement's Principal covers this IAM principal."""

    def covers(p: Principal) -> bool:
        if p.kind is PrincipalKind.ANYONE:
            return True
        if p.kind is PrincipalKind.ACCOUNT:
            # Naming an account delegates to its identity policies: across accounts that
            # satisfies the resource side; within the account it grants nothing by itself.
            return p.account == principal.account and (not same_account or statement.effect is _DENY)
        if p.kind is PrincipalKind.IAM_PRINCIPAL:
            if p.value == principal.arn:
                return True
            session_prefix = f"arn:aws:sts::{principal.account}:assumed-role/{principal.name}/"
            return principal.type is PrincipalType.ROLE and p.value.startswith(session_prefix)
        return False

    if statement.principals is not None:
        return Tri.of(any(covers(p) for p in statement.principals))
    if statement.not_principals is not None:
        return Tri.of(not any(covers(p) for p in statement.not_principals))
    return _FALSE


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
    ) -> None:
        """``resource_arn``: ask about ``action`` on any resource instead of a repository;
        ``request_facts``: condition keys known for the request (lower-cased keys), e.g.
        ``{"iam:policyarn": [...]}`` to ask whether a role may attach one given policy."""
        self.action = action
        if resource_arn is not None:
            self.target: RepositoryTarget | None = RepositoryTarget.of_resource(resource_arn)
        else:
            self.target = RepositoryTarget.parse(repository_arn) if repository_arn else None
        self.request_facts = {k.lower(): tuple(v) for k, v in (request_facts or {}).items()}
        self.scps = tuple(tuple(level) for level in scps)
        self.repository_policy = repository_policy
        self.organization_id = organization_id
        self.now = time.time() if now is None else now
        self._prepared: dict[int, tuple[Policy, _Prepared]] = {}
        self._summaries: dict[int, tuple[Statement, str]] = {}
        # Keyed by id(): every Statement above is held by a prepared policy, so ids stay unique.
        self._static: dict[tuple[int, RepositoryTarget], Tri] = {}
        self._requests: dict[RepositoryTarget, dict[str, tuple[str, ...]]] = {}

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

    def _hits(
        self,
        attached: Iterable[AttachedPolicy],
        effect: Effect,
        target: RepositoryTarget,
        context: RequestContext,
    ) -> list[Hit]:
        hits = []
        for item in attached:
            if item.policy is None:  # unreadable: it may grant or deny anything
                hits.append(Hit(item.source, None, _UNKNOWN, problem=item.problem))
                continue
            prepared = self._prepare(item.policy)
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
            match = _repository_principal_match(statement, principal, same_account)
            applies, unknown = statement_applies(statement, target, context, match)
            if applies is not _FALSE:
                hits.append(Hit(source, statement, applies, unknown))
        return hits

    def evaluate(self, principal: IamPrincipal) -> AccessDecision:
        target = self.target or RepositoryTarget(None, principal.account, None)
        facts = PrincipalFacts(
            principal.arn,
            principal.account,
            principal.type is PrincipalType.USER,
            principal.name,
            principal.unique_id,
            dict(principal.tags) if principal.tags is not None else None,
        )
        context = build_context(facts, self._request_values(target), self.now)
        scps = () if principal.is_service_linked else self.scps
        boundary = (principal.boundary,) if principal.boundary is not None else ()
        every_policy = [*principal.policies, *boundary, *(p for level in scps for p in level)]

        deny_hits = self._hits(every_policy, _DENY, target, context)
        deny_hits += self._repository_hits(principal, _DENY, target, context)
        identity_hits = self._hits(principal.policies, _ALLOW, target, context)
        deny, identity = strongest(deny_hits), strongest(identity_hits)
        bounded = strongest(self._hits(boundary, _ALLOW, target, context)) if boundary else None
        levels = [strongest(self._hits(level, _ALLOW, target, context)) for level in scps]
        resource = strongest(self._repository_hits(principal, _ALLOW, target, context))

        def tri(hit: Hit | None) -> Tri:
            return _FALSE if hit is None else hit.applies

        identity_grant = tri(identity) & (tri(bounded) if boundary else _TRUE)
        if principal.account == target.account:
            grant = identity_grant | tri(resource)
        else:
            grant = identity_grant & tri(resource)
        scp_ok = all_of(tri(hit) for hit in levels)
        result = grant & scp_ok & ~tri(deny)

        if result is _TRUE:
            granting = identity if identity_grant is _TRUE else resource
            return self._decision(AccessVerdict.ALLOWED, "Allowed by", granting)
        if tri(deny) is _TRUE:
            return self._decision(AccessVerdict.DENIED, "Denied by", deny)
        if result is _FALSE:
            return AccessDecision(
                AccessVerdict.DENIED,
                self._implicit_deny(principal, target, identity, bounded, boundary, levels, scps),
            )
        # Undecided. An unreadable policy among the undecided layers outranks request facts:
        # it may grant or deny anything, so the decision must say it is incomplete.
        for hit in (*deny_hits, *identity_hits, bounded, *levels):
            if hit is not None and hit.problem is not None:
                return dataclasses.replace(
                    self._decision(AccessVerdict.CONDITIONAL, "Undecided:", hit), unreadable=True
                )
        for hit in (deny, identity, bounded, *levels, resource):
            if hit is not None and hit.applies is _UNKNOWN:
                return self._decision(AccessVerdict.CONDITIONAL, "Depends on request facts:", hit)
        return AccessDecision(AccessVerdict.CONDITIONAL, "Depends on request facts")  # pragma: no cover

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
                    "repository policy to allow it, and none was given"
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
) -> AccessDecision:
    """Decide one principal; to decide many, reuse one PermissionEvaluator."""
    evaluator = PermissionEvaluator(
        repository_arn=repository_arn, action=action, scps=scps, repository_policy=repository_policy
    )
    return evaluator.evaluate(principal)
