"""One pull is one finding: CloudTrail records one ``GetDownloadUrlForLayer`` per layer.

A pull of a 40-layer image is 40 events in a few seconds. Events of the same caller
(principal and session), registry and repository within one time window are one pull.
The key is also the finding's stable id (Security Hub updates a finding imported again
under the same id), so repeats that reach another Lambda instance update rather than
duplicate. Memory is bounded: the oldest keys are forgotten first.
"""

import hashlib
from collections import OrderedDict
from datetime import datetime

from ecr_access.detection.pull_events import Pull

WINDOW_SECONDS = 300
MAX_KEYS = 10_000


def _epoch(event_time: str) -> int:
    try:
        return int(datetime.fromisoformat(event_time.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0  # an unreadable time: one bucket for all of them, never a dropped event


def pull_key(pull: Pull, window_seconds: int = WINDOW_SECONDS) -> str:
    caller = pull.caller
    bucket = _epoch(pull.event_time) // window_seconds
    parts = (caller.label, caller.session or "", pull.registry, pull.region, pull.repository, str(bucket))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class Deduplicator:
    def __init__(self, window_seconds: int = WINDOW_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.window_seconds, self.max_keys = window_seconds, max_keys
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first(self, pull: Pull) -> bool:
        """Whether this is the first event of its pull (the one to report)."""
        key = pull_key(pull, self.window_seconds)
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return True
