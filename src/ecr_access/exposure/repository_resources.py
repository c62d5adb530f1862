"""Does a Resource/NotResource element of a repository policy cover the repository?

A repository policy usually has no Resource element: ECR applies it to the
repository it is attached to. When one is present and the caller gives the
repository's ARN (the rules know it), patterns are matched against it exactly
(case-sensitively, ``*`` spanning ``/``). Without the ARN the analysis errs towards
exposure: an Allow counts when a pattern *could* name a repository, a Deny only when
its patterns name *every* repository of the owner (``arn:aws:ecr:*:<owner>:repository/*``
does).
"""

from ecr_access.policy.model import ResourceSpec
from ecr_access.policy.variables import Template
from ecr_access.policy.wildcard import has_wildcard, wildcard_match


def _fields(pattern: Template) -> list[str]:
    return pattern.text.split(":", 5)


def _could_name_a_repository(pattern: Template) -> bool:
    if pattern.has_variables:
        return True
    fields = _fields(pattern)
    if len(fields) < 6:
        return has_wildcard(pattern.text)
    service, resource = fields[2], fields[5]
    return wildcard_match(service, "ecr", case_sensitive=True) and (
        has_wildcard(resource.split("/", 1)[0]) or resource.startswith("repository/")
    )


def _names_every_repository(pattern: Template, owner: str | None) -> bool:
    if pattern.has_variables:
        return False
    if pattern.text == "*":
        return True
    fields = _fields(pattern)
    return (
        len(fields) == 6
        and fields[1].startswith(("aws", "*"))
        and set(fields[3]) <= {"*"}
        and bool(fields[3])
        and ((set(fields[4]) <= {"*"} and bool(fields[4])) or fields[4] == owner)
        and wildcard_match(fields[2], "ecr", case_sensitive=True)
        and fields[5] in ("*", "repository/*")
    )


def _names(pattern: Template, repository_arn: str) -> bool:
    # A variable could resolve to anything: for an Allow "could name" it, for a Deny it is unsure.
    return not pattern.has_variables and wildcard_match(pattern.text, repository_arn, case_sensitive=True)


def allow_covers_repository(resources: ResourceSpec | None, repository_arn: str | None = None) -> bool:
    if resources is None:
        return True
    if repository_arn is not None:
        named = any(_names(p, repository_arn) or p.has_variables for p in resources.patterns)
        return not any(_names(p, repository_arn) for p in resources.patterns) if resources.negated else named
    if resources.negated:
        return not any(_names_every_repository(p, None) for p in resources.patterns)
    return any(_could_name_a_repository(p) for p in resources.patterns)


def deny_covers_repository(
    resources: ResourceSpec | None, owner: str | None = None, repository_arn: str | None = None
) -> bool:
    if resources is None:
        return True
    if repository_arn is not None:
        if resources.negated:
            return not any(_names(p, repository_arn) or p.has_variables for p in resources.patterns)
        return any(_names(p, repository_arn) for p in resources.patterns)
    if resources.negated:
        return not any(_could_name_a_repository(p) for p in resources.patterns)
    return any(_names_every_repository(p, owner) for p in resources.patterns)
