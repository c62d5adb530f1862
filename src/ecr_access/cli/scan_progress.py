"""A progress bar on stderr for the scan's sweeps, fed by botocore events.

The rules' sweeps know nothing of terminals; the bar counts their AWS calls as
botocore reports them (``after-call`` fires for every response, errors included):
the repository listing sets the total, each ``GetRepositoryPolicy`` advances it,
each authorization-details page adds the principals it holds.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def sweep_progress(session: boto3.Session, console: Console, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    repositories = progress.add_task("repositories", total=0)
    principals = progress.add_task("IAM principals", total=None)
    listed_so_far = [0]  # the listing's pages add up to the total (over every Region)

    def listed(parsed: dict[str, Any], **_: Any) -> None:
        listed_so_far[0] += len(parsed.get("repositories", ()))
        progress.update(repositories, total=listed_so_far[0])

    def read(**_: Any) -> None:
        progress.advance(repositories)

    def page(parsed: dict[str, Any], **_: Any) -> None:
        progress.advance(
            principals, len(parsed.get("RoleDetailList", ())) + len(parsed.get("UserDetailList", ()))
        )

    hooks = [
        ("after-call.ecr.DescribeRepositories", listed),
        ("after-call.ecr.GetRepositoryPolicy", read),
        ("after-call.iam.GetAccountAuthorizationDetails", page),
    ]
    for event, hook in hooks:
        session.events.register(event, hook)
    try:
        with progress:
            yield
    finally:
        for event, hook in hooks:
            session.events.unregister(event, hook)
