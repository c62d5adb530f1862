"""Every ECR repository of a Region with its policy (and, when asked, its tags).

``DescribeRepositories`` pages (1,000 a page) give the complete list; one
``GetRepositoryPolicy`` per repository (``RepositoryPolicyNotFoundException``
means no policy) runs on a small thread pool — boto3 clients are thread-safe —
with botocore's adaptive retries in the client.

Tags, when an exemption tag is set, are read in bulk: the Resource Groups Tagging API's
``GetResources`` "support[s] all resource types" (Resource Groups Tagging API Reference,
"Services that support the Resource Groups Tagging API"), one page per 100 tagged
repositories, filtered on the exemption key. Only a repository the bulk read says is exempt
is confirmed with its own ``ListTagsForResource`` (the service's authoritative answer, so a
tag removed moments ago never exempts a repository). When the bulk read fails, every
repository's tags are read one by one as before. A repository whose read fails
is recorded as a failure and the sweep goes on; when the deadline nears, no new
read is started and the rest is recorded as unreached.
"""

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import Deadline
from ecr_access.sources.aws_errors import describe_error

log = logging.getLogger("ecr_access.sources")
PAGE_SIZE = 1_000
WORKERS = 8


@dataclass(frozen=True, slots=True)
class RepositoryRecord:
    name: str
    arn: str
    registry_id: str  # the owning account
    policy_text: str | None  # None: the repository has no policy
    tags: dict[str, str] | None = None  # None: not read


@dataclass(slots=True)
class RepositorySweep:
    records: list[RepositoryRecord] = field(default_factory=list)
    listing_complete: bool = True
    names: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)  # "name: reason", one per repository that failed
    unreached: list[str] = field(default_factory=list)


def _bulk_tags(tagging: Any, key: str) -> dict[str, dict[str, str]] | None:
    """Repository ARN → tags for every repository carrying ``key``; None when the bulk read fails."""
    try:
        found: dict[str, dict[str, str]] = {}
        pages = tagging.get_paginator("get_resources").paginate(
            ResourceTypeFilters=["ecr:repository"], TagFilters=[{"Key": key}]
        )
        for page in pages:
            for mapping in page.get("ResourceTagMappingList", ()):
                found[mapping["ResourceARN"]] = {t["Key"]: t["Value"] for t in mapping.get("Tags", ())}
        return found
    except (ClientError, BotoCoreError, KeyError) as exc:
        log.warning("bulk tag read failed (%s): reading each repository's tags", describe_error(exc, "tag"))
        return None


def _read(
    ecr: Any,
    repository: dict[str, Any],
    read_tags: bool,
    bulk: dict[str, dict[str, str]] | None = None,
    key: str | None = None,
) -> RepositoryRecord:
    name = repository["repositoryName"]
    try:
        policy = ecr.get_repository_policy(repositoryName=name, registryId=repository["registryId"])[
            "policyText"
        ]
    except ClientError as exc:
        if exc.response["Error"].get("Code") != "RepositoryPolicyNotFoundException":
            raise
        policy = None
    tags = None
    if read_tags:
        arn = repository["repositoryArn"]
        tags = None if bulk is None else bulk.get(arn, {})
        candidate = tags is not None and key is not None and str(tags.get(key, "")).strip().lower() == "true"
        if tags is None or candidate:  # no bulk answer, or an exemption to confirm
            listed = ecr.list_tags_for_resource(resourceArn=arn).get("tags", [])
            tags = {t["Key"]: t["Value"] for t in listed}
    return RepositoryRecord(name, repository["repositoryArn"], repository["registryId"], policy, tags)


def _list(ecr: Any, sweep: RepositorySweep, deadline: Deadline) -> list[dict[str, Any]]:
    repositories: list[dict[str, Any]] = []
    try:
        for page in ecr.get_paginator("describe_repositories").paginate(
            PaginationConfig={"PageSize": PAGE_SIZE}
        ):
            repositories.extend(page.get("repositories", ()))
            if deadline.passed():
                sweep.listing_complete = False
                log.error("deadline reached while listing repositories after %d", len(repositories))
                break
    except (ClientError, BotoCoreError) as exc:
        sweep.listing_complete = False
        sweep.failures.append(f"(listing repositories): {describe_error(exc, 'ecr')}")
        log.error("listing repositories failed after %d: %s", len(repositories), describe_error(exc, "ecr"))
    sweep.names = {r["repositoryName"] for r in repositories}
    return repositories


def sweep_repositories(
    ecr: Any,
    *,
    deadline: Deadline,
    read_tags: bool = False,
    workers: int = WORKERS,
    tagging: Any = None,
    exemption_key: str | None = None,
) -> RepositorySweep:
    """``tagging`` (a Resource Groups Tagging API client) with ``exemption_key``: tags read in bulk."""
    sweep = RepositorySweep()
    pending = list(reversed(_list(ecr, sweep, deadline)))
    bulk = _bulk_tags(tagging, exemption_key) if read_tags and tagging is not None and exemption_key else None
    in_flight: dict[Future[RepositoryRecord], str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending or in_flight:
            while pending and len(in_flight) < workers * 2 and not deadline.passed():
                repository = pending.pop()
                future = pool.submit(_read, ecr, repository, read_tags, bulk, exemption_key)
                in_flight[future] = repository["repositoryName"]
            if not in_flight:
                break  # the deadline passed with reads still to start
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                name = in_flight.pop(future)
                try:
                    sweep.records.append(future.result())
                except (ClientError, BotoCoreError) as exc:
                    sweep.failures.append(f"{name}: {describe_error(exc, 'ecr')}")
                    log.error("repository %s could not be read: %s", name, describe_error(exc, "ecr"))
    sweep.unreached = [r["repositoryName"] for r in reversed(pending)]
    if sweep.unreached:
        log.error(
            "deadline reached: %d repositories not read: %s",
            len(sweep.unreached),
            ", ".join(sweep.unreached[:50]),
        )
    return sweep
