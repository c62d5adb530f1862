"""Who pulls today: CloudTrail's record of layer downloads, summed per principal.

Reads CloudTrail log files as delivered to S3 (``{"Records": [...]}``, ``.json`` or
``.json.gz``, in directories: CloudTrail User Guide, "CloudTrail log file examples") or
exports with one record per line (CloudTrail Lake, Athena). Each file is *streamed*: the
records array is decoded one record at a time from a bounded buffer (records.py), and only
the summary is kept, so memory grows with the number of distinct principals and
repositories, not with the size of a file or of the logs. Pulls are counted as pulls, not
layers (dedup.py: one pull per caller, session, repository and window).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ecr_access.detection.cloudtrail_files import records_of
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.pull_events import Pull, pull_of


@dataclass
class PrincipalPulls:
    principal: str  # the role (not the session), the user, the service
    pulls: int = 0
    repositories: set[str] = field(default_factory=set)
    networks: set[str] = field(default_factory=set)  # VPC endpoints, or source addresses
    first_seen: str = ""
    last_seen: str = ""

    def add(self, pull: Pull, new_pull: bool) -> None:
        self.pulls += int(new_pull)
        self.repositories.add(pull.repository_arn)
        self.networks.add(pull.vpc_endpoint or pull.source_ip or "unknown")
        if not self.first_seen or pull.event_time < self.first_seen:
            self.first_seen = pull.event_time
        self.last_seen = max(self.last_seen, pull.event_time)


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith((".json", ".json.gz"))
            )
        else:
            yield path


@dataclass
class PullHistory:
    principals: dict[str, PrincipalPulls]
    unreadable: list[str]  # "file: why": a bad file is reported and skipped, never stops the others


def log_files(paths: Iterable[Path]) -> list[Path]:
    """The CloudTrail files under ``paths`` (directories are walked), in a stable order."""
    return list(_files(paths))


def pull_history(
    paths: Iterable[Path], *, since: str | None = None, done: Callable[[Path], None] | None = None
) -> PullHistory:
    """Per principal, what it pulled (``since``: an ISO-8601 time, e.g. 2026-11-01); ``done`` is told
    of each file once read (a progress bar)."""
    history = PullHistory({}, [])
    dedup = Deduplicator(max_keys=100_000)
    for path in _files(paths):
        try:
            for record in records_of(path):
                pull = pull_of(record)
                if pull is None or (since is not None and pull.event_time < since):
                    continue
                who = pull.caller.label
                history.principals.setdefault(who, PrincipalPulls(who)).add(pull, dedup.first(pull))
        except (OSError, ValueError, EOFError, RecursionError) as exc:  # JSONDecodeError, gzip errors
            history.unreadable.append(f"{path}: {type(exc).__name__}: {str(exc)[:200]}")
        if done is not None:
            done(path)  # a file that failed is done too
    return history


def suggested_allow_list(history: dict[str, PrincipalPulls]) -> str:
    """The smallest AllowedPrincipalArns that covers what was observed, as the rules' TOML."""
    arns = sorted(p for p in history if p.startswith("arn:") and ":iam::" in p)
    services = sorted(p for p in history if p.endswith(".amazonaws.com"))
    lines = ["[ECR_LAYER_DOWNLOAD_RESTRICTED]", "AllowedPrincipalArns = ["]
    for arn in arns:
        seen = history[arn]
        lines.append(
            f"  # {seen.pulls} pulls of {len(seen.repositories)} repositories, "
            f"{seen.first_seen} → {seen.last_seen}, from {', '.join(sorted(seen.networks)[:3])}"
        )
        lines.append(f"  {json.dumps(arn)},")
    lines.append("]")
    if services:
        lines.append(
            f"# pulled as services (through repository policies, not the allow-list): {', '.join(services)}"
        )
    return "\n".join(lines) + "\n"
