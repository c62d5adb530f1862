"""``PullEvaluator``: can this principal download layers from any repository, in its account or another?

Most organizations keep images in a shared registry account, and workload roles pull
across accounts. The question is therefore asked of:
1. every repository of the principal's own account (as PermissionEvaluator does with no
   repository ARN), and, where the own account's repositories were read, each of them with
   its policy (a same-account repository policy may grant on its own);
2. each other account the principal's identity policies could name (reached_accounts.py):
   - read (a Registry): each repository with its policy, decided exactly — both sides must
     allow (IAM User Guide, "Cross-account policy evaluation logic"), and that account's
     RCP levels apply;
   - not read: the identity side is decided and the resource side is unknown, so a grant
     is CONDITIONAL "depends on the repository policies of account X";
3. accounts only a wildcard names (``arn:aws:ecr:*:*:repository/*``): one example account
   the pattern matches, identity side decided, resource side unknown.
The strongest answer wins: ALLOWED, then CONDITIONAL, then DENIED; a DENIED answer gives
the reached account's reason when the own account's is only "no identity policy allows".
Each AccessDecision names the account it is about (``registry_account``) when that is not
the principal's own.
"""

from collections.abc import Iterable
from dataclasses import replace

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.permissions.decision import AccessDecision, AccessVerdict
from ecr_access.permissions.evaluate import UNREAD, PermissionEvaluator, ScpLevels
from ecr_access.permissions.principal import IamPrincipal
from ecr_access.permissions.reached_accounts import ReachedAccounts, accounts_reached, example_account
from ecr_access.permissions.registries import Registry, RegistryRepository
from ecr_access.permissions.resource_match import RepositoryTarget

_RANK = {AccessVerdict.DENIED: 0, AccessVerdict.CONDITIONAL: 1, AccessVerdict.ALLOWED: 2}


def _strongest(decisions: Iterable[AccessDecision]) -> AccessDecision | None:
    best = None
    for decision in decisions:
        if best is None or _RANK[decision.verdict] > _RANK[best.verdict]:
            best = decision
        if best.verdict is AccessVerdict.ALLOWED:
            break
    return best


class PullEvaluator:
    """Evaluates many principals; per-repository evaluators are built once and shared."""

    def __init__(
        self,
        *,
        scps: ScpLevels = (),
        rcps: ScpLevels = (),
        registries: Iterable[Registry] = (),
        organization_id: str | None = None,
        management_account: str | None = None,
        now: float | None = None,
        action: str = GET_DOWNLOAD_URL_FOR_LAYER,
    ) -> None:
        """``rcps``: the RCP levels of the evaluated account (each Registry carries its own)."""
        self.action = action
        self._common = {
            "action": action,
            "scps": scps,
            "organization_id": organization_id,
            "management_account": management_account,
            "now": now,
        }
        self._own = PermissionEvaluator(repository_arn=None, rcps=rcps, **self._common)
        self.now = self._own.now
        self._common["now"] = self.now
        self.registries = {registry.account: registry for registry in registries}
        self._per_repository: dict[str, PermissionEvaluator] = {}
        self._reached_cache: dict[tuple[int, str], tuple[object, ReachedAccounts]] = {}

    def _reached(self, principal: IamPrincipal) -> ReachedAccounts:
        """The accounts its identity policies name, computed once per (policy, own account)."""
        named: set[str] = set()
        open_fields: dict[str, None] = {}
        for attached in principal.policies:
            key = (id(attached.policy), principal.account)
            cached = self._reached_cache.get(key)
            if cached is None or cached[0] is not attached.policy:
                cached = (attached.policy, accounts_reached((attached,), self.action, principal.account))
                self._reached_cache[key] = cached
            named |= cached[1].named
            open_fields.update(dict.fromkeys(cached[1].open_fields))
        return ReachedAccounts(frozenset(named), tuple(open_fields))

    def _repository_evaluator(
        self, registry: Registry, repository: RegistryRepository
    ) -> PermissionEvaluator:
        found = self._per_repository.get(repository.arn)
        if found is None:
            found = PermissionEvaluator(
                repository_arn=repository.arn,
                repository_policy=repository.policy,
                repository_problem=repository.problem,
                rcps=registry.rcps,
                **self._common,
            )
            self._per_repository[repository.arn] = found
        return found

    def _in_registry(self, principal: IamPrincipal, registry: Registry) -> AccessDecision:
        foreign = registry.account != principal.account
        unread = None
        if foreign or not registry.complete:
            # The identity side with the resource side unknown (its most permissive reading): what
            # it denies, no repository of the account can grant. Across accounts that prunes the
            # principals × repositories work to the principals whose identity reaches the account.
            unread = self._own.evaluate(
                principal,
                target=RepositoryTarget(None, registry.account, None),
                foreign_policies_unknown=True,
            )
            if foreign and unread.verdict is AccessVerdict.DENIED:
                return unread
        decisions = [
            self._repository_evaluator(registry, repository).evaluate(principal)
            for repository in registry.repositories
        ]
        if unread is not None and not registry.complete and unread.verdict is not AccessVerdict.DENIED:
            # Repositories that were not read may grant: for them only the identity side is known.
            problem = (registry.problem or "unknown")[:120]
            decisions.append(
                replace(unread, reason=unread.reason.replace(UNREAD, f"some could not be read: {problem}"))
            )
        found = _strongest(decisions)
        if found is None:
            return AccessDecision(
                AccessVerdict.DENIED,
                f"Account {registry.account} has no repositories in the Regions read",
                registry_account=registry.account,
            )
        return found

    def evaluate(self, principal: IamPrincipal) -> AccessDecision:
        own = self._own.evaluate(principal)
        if own.verdict is AccessVerdict.ALLOWED:
            return own
        candidates = [own]
        mine = self.registries.get(principal.account)
        if mine is not None:  # same-account repository policies that grant on their own
            candidates.append(replace(self._in_registry(principal, mine), registry_account=None))
        reached = self._reached(principal)
        others = set(reached.named)
        if reached.open_fields:
            others |= set(self.registries)
        for account in sorted(others - {principal.account}):
            registry = self.registries.get(account)
            if registry is not None:
                candidates.append(self._in_registry(principal, registry))
            else:
                target = RepositoryTarget(None, account, None)
                candidates.append(self._own.evaluate(principal, target=target, foreign_policies_unknown=True))
            if candidates[-1].verdict is AccessVerdict.ALLOWED:
                return candidates[-1]
        avoid = frozenset({principal.account, *self.registries})
        for field in reached.open_fields:
            account = example_account(field, avoid)
            if account is None:
                continue
            elsewhere = self._own.evaluate(
                principal, target=RepositoryTarget(None, account, None), foreign_policies_unknown=True
            )
            if elsewhere.verdict is AccessVerdict.CONDITIONAL:
                reason = elsewhere.reason.replace(
                    f"of account {account}", f"of other accounts (those matching {field!r})"
                )
                elsewhere = replace(elsewhere, reason=reason, registry_account=field)
            candidates.append(elsewhere)
        best = _strongest(candidates)
        assert best is not None
        if best.verdict is not AccessVerdict.DENIED:
            return best
        # Denied everywhere: where the identity side reached another account, that account's
        # answer (its repository policy, its RCPs) says more than "no identity policy allows".
        elsewhere = [d for d in candidates[1:] if d.registry_account is not None]
        return elsewhere[0] if elsewhere and own.source is None else own
