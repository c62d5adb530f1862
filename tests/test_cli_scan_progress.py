"""The scan's progress bar: fed by botocore events of the sweeps, unhooked afterwards."""

import io

import boto3
from rich.console import Console

from ecr_access.cli.scan_progress import sweep_progress
from ecr_access.config_rules.deadline import Deadline
from ecr_access.sources.ecr_repositories import sweep_repositories


def test_the_bar_counts_repositories_read_against_the_listing(moto):
    session = boto3.Session(region_name="us-east-1")
    for name in ("app-a", "app-b", "app-c"):
        session.client("ecr").create_repository(repositoryName=name)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with sweep_progress(session, console, enabled=True):
        sweep = sweep_repositories(session.client("ecr"), deadline=Deadline(None))
    assert sweep.names == {"app-a", "app-b", "app-c"}
    assert "repositories" in out.getvalue() and "3/3" in out.getvalue()
    before = len(out.getvalue())
    sweep_repositories(session.client("ecr"), deadline=Deadline(None))  # after the block: no hook left
    assert len(out.getvalue()) == before


def test_disabled_it_registers_nothing(moto):
    session = boto3.Session(region_name="us-east-1")
    out = io.StringIO()
    with sweep_progress(session, Console(file=out, force_terminal=True), enabled=False):
        session.client("ecr").create_repository(repositoryName="app-a")
        sweep_repositories(session.client("ecr"), deadline=Deadline(None))
    assert out.getvalue() == ""
