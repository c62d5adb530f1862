"""The Lambda's time budget: stop starting work while there is still time to report it."""

from dataclasses import dataclass
from typing import Any

# Kept back for putting evaluations and raising: PutEvaluations takes ~100 ms a batch.
DEFAULT_RESERVE_SECONDS = 45.0


@dataclass(frozen=True, slots=True)
class Deadline:
    context: Any  # the Lambda context; None when run outside Lambda (no limit)
    reserve_seconds: float = DEFAULT_RESERVE_SECONDS

    def passed(self) -> bool:
        if self.context is None or not hasattr(self.context, "get_remaining_time_in_millis"):
            return False
        return self.context.get_remaining_time_in_millis() < self.reserve_seconds * 1000
