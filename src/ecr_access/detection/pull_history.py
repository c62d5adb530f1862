"""Who pulls today: CloudTrail's record of layer downloads, summed per principal.

Reads CloudTrail log files as delivered to S3 (``{"Records": [...]}``, ``.json`` or
``.json.gz``, in directories) or exports with one record per line (CloudTrail Lake, Athena).
Files are read one at a time and only the summary is kept, so memory grows with the
number of distinct principals and repositories, not with the size of the logs. Pulls are
counted as pulls, not layers (dedup.py: one pull per caller, session, repository and window).
"""

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.pull_events import Pull, pull_of

MAX_FILE_BYTES = 512 * 1024 * 1024  # a CloudTrail file is a few MB; a bound on hostile input


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


def records_of(path: Path) -> Iterator[dict[str, Any]]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        text = handle.read(MAX_FILE_BYTES + 1)
    if len(text) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: more than {MAX_FILE_BYTES:,} characters once decompressed")
    stripped = text.lstrip()
    if stripped.startswith("{") and '"Records"' in stripped[:4096]:
        document = json.loads(text)
        yield from (r for r in document.get("Records", ()) if isinstance(r, dict))
        return
    for line in text.splitlines():  # one record per line (CloudTrail Lake / Athena exports)
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict):
                yield record


@dataclass
class PullHistory:
    principals: dict[str, PrincipalPulls]
    unreadable: list[str]  # "file: why": a bad file is reported and skipped, never stops the others


def pull_history(paths: Iterable[Path], *, since: str | None = None) -> PullHistory:
    """Per principal, what it pulled (``since``: an ISO-8601 time, e.g. 2026-11-01)."""
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
