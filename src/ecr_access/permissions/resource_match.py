"""Does a Resource/NotResource element cover the repository the action is asked on?

ARNs match case-sensitively and ``*`` spans ``/`` (repository names such as
``team/app`` contain it). With no repository ARN ("any repository" mode), an
Allow counts when a pattern *could* name some repository of the account, and a
Deny only when its patterns name *every* repository of it — so the answer is
"is there a repository this principal can pull from".
"""

from dataclasses import dataclass

from ecr_access.permissions.condition_eval import resolve
from ecr_access.permissions.patterns import template_matches
from ecr_access.permissions.request_context import KeyState, RequestContext
from ecr_access.permissions.tristate import Tri
from ecr_access.policy.model import ResourceSpec
from ecr_access.policy.variables import Template
from ecr_access.policy.wildcard import has_wildcard, wildcard_match

_REPOSITORY = "repository/"


@dataclass(frozen=True, slots=True)
class RepositoryTarget:
    arn: str | None  # None: any repository of the account
    account: str
    region: str | None

    @staticmethod
    def parse(arn: str) -> "RepositoryTarget":
        fields = arn.split(":", 5)
        if len(fields) != 6 or fields[2] != "ecr" or not fields[5].startswith(_REPOSITORY):
            raise ValueError(
                f"{arn!r} is not an ECR repository ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME)"
            )
        return RepositoryTarget(arn, fields[4], fields[3])

    @staticmethod
    def of_resource(arn: str) -> "RepositoryTarget":
        """Any resource ARN (an IAM role, a policy): for questions about actions other than pulls."""
        fields = arn.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn":
            raise ValueError(f"{arn!r} is not an ARN")
        return RepositoryTarget(arn, fields[4], fields[3] or None)


def _could_name_a_repository(text: str, account: str) -> bool:
    if text == "*":
        return True
    fields = text.split(":", 5)
    if len(fields) < 6:
        return has_wildcard(text)
    resource = fields[5]
    prefix = resource.split("*", 1)[0].split("?", 1)[0]
    resource_ok = (
        _REPOSITORY.startswith(prefix) or prefix.startswith(_REPOSITORY)
        if has_wildcard(resource)
        else resource.startswith(_REPOSITORY) and len(resource) > len(_REPOSITORY)
    )
    return (
        resource_ok
        and wildcard_match(fields[2], "ecr", case_sensitive=True)
        and wildcard_match(fields[4], account, case_sensitive=True)
        and fields[3] != ""
    )


def _names_every_repository(text: str, account: str) -> bool:
    if text == "*":
        return True
    fields = text.split(":", 5)
    return (
        len(fields) == 6
        and wildcard_match(fields[2], "ecr", case_sensitive=True)
        and set(fields[3]) == {"*"}
        and (fields[4] == account or set(fields[4]) == {"*"})
        and (set(fields[5]) == {"*"} or fields[5] == _REPOSITORY + "*")
    )


def _pattern_covers(pattern: Template, target: RepositoryTarget, *, every: bool) -> bool:
    if target.arn is not None:
        return template_matches(pattern, target.arn, wildcards=True)
    text = "".join(p if isinstance(p, str) else "?" for p in pattern.parts)
    return (
        _names_every_repository(text, target.account)
        if every
        else _could_name_a_repository(text, target.account)
    )


def resource_applies(
    resources: ResourceSpec | None, target: RepositoryTarget, context: RequestContext, *, deny: bool
) -> Tri:
    """Whether the element covers the target (for a Deny in "any repository" mode: covers all)."""
    if resources is None:
        return Tri.TRUE
    # "Covers" for an Allow means "some repository"; for a Deny "every repository".
    # NotResource inverts the question: it covers every repository unless a pattern could name one.
    every = deny != resources.negated
    result = Tri.FALSE
    for raw in resources.patterns:
        pattern = resolve(raw, context)
        if pattern is KeyState.UNKNOWN:
            result |= Tri.UNKNOWN
        elif pattern is not KeyState.ABSENT and _pattern_covers(pattern, target, every=every):
            result = Tri.TRUE
            break
    return ~result if resources.negated else result
