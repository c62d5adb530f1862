"""Whether one statement applies to a request, in three values, and why not surely."""

from dataclasses import dataclass

from ecr_access.permissions.condition_eval import evaluate_clause
from ecr_access.permissions.principal import PolicySource
from ecr_access.permissions.request_context import RequestContext
from ecr_access.permissions.resource_match import RepositoryTarget, resource_applies
from ecr_access.permissions.tristate import Tri
from ecr_access.policy.model import Effect, Statement


@dataclass(frozen=True, slots=True)
class Hit:
    """A statement (or an unreadable policy) that applies, or may apply."""

    source: PolicySource
    statement: Statement | None  # None: the policy itself could not be read
    applies: Tri
    unknown_keys: tuple[str, ...] = ()
    problem: str | None = None
    via_role_arn: bool = False  # a repository-policy grant to the role's ARN (its boundary limits it)


def statement_applies(
    statement: Statement, target: RepositoryTarget, context: RequestContext, principal_match: Tri = Tri.TRUE
) -> tuple[Tri, tuple[str, ...]]:
    deny = statement.effect is Effect.DENY
    result = principal_match & resource_applies(statement.resources, target, context, deny=deny)
    unknown: list[str] = []
    for clause in statement.conditions:
        if result is Tri.FALSE:
            break
        outcome = evaluate_clause(clause, context)
        if outcome is Tri.UNKNOWN:
            unknown.append(clause.key_as_written)
        result &= outcome
    return result, tuple(dict.fromkeys(unknown)) if result is Tri.UNKNOWN else ()


def strongest(hits: list[Hit]) -> Hit | None:
    """The first hit that surely applies, else the first that may; None if none applies."""
    maybe = None
    for hit in hits:
        if hit.applies is Tri.TRUE:
            return hit
        if hit.applies is Tri.UNKNOWN and maybe is None:
            maybe = hit
    return maybe
