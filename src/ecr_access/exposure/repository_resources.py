"""Does a Resource/NotResource element of a repository policy cover the repository?

A repository policy usually has no Resource element: ECR applies it to the
repository it is attached to. When one is present, the analysis does not know the
repository's ARN, so it errs towards exposure: an Allow counts when a pattern
*could* name a repository, a Deny only when its patterns name *every* repository.
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


def _names_every_repository(pattern: Template) -> bool:
    if pattern.has_variables:
        return False
    if pattern.text == "*":
        return True
    fields = _fields(pattern)
    return (
        len(fields) == 6
        and fields[1].startswith(("aws", "*"))
        and all(set(f) <= {"*"} and f for f in (fields[3], fields[4]))
        and wildcard_match(fields[2], "ecr", case_sensitive=True)
        and fields[5] in ("*", "repository/*")
    )


def allow_covers_repository(resources: ResourceSpec | None) -> bool:
    if resources is None:
        return True
    if resources.negated:
        return not any(_names_every_repository(p) for p in resources.patterns)
    return any(_could_name_a_repository(p) for p in resources.patterns)


def deny_covers_repository(resources: ResourceSpec | None) -> bool:
    if resources is None:
        return True
    if resources.negated:
        return not any(_could_name_a_repository(p) for p in resources.patterns)
    return any(_names_every_repository(p) for p in resources.patterns)
