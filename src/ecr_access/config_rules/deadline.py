"""The Lambda's time budget, phase by phase: stop starting work while there is still time to report it.

A run reads, analyses, reads its prior results, puts evaluations and, when
something was left undone, raises its own error. Each phase stops early enough
for the ones after it (measured before this: PutEvaluations backoff and the
prior-results read ran a Lambda 6.7 s past its deadline, so it died without its
own error and Config showed a bare timeout):

- reads stop with ``READ_RESERVE_SECONDS`` left, the analysis of what was read
  (milliseconds a resource) with ``ANALYSIS_RESERVE_SECONDS``;
- the prior-results read (``ReportOnlyChanges``, retirements) stops with
  ``PRIOR_RESERVE_SECONDS`` left, and the run then puts every evaluation;
- each PutEvaluations call (and each backoff sleep before one) needs
  ``CALL_RESERVE_SECONDS`` left: the Config client's retries and timeouts are
  bounded so that one call fits in that (see clients.py).
"""

from dataclasses import dataclass
from typing import Any

READ_RESERVE_SECONDS = 45.0
ANALYSIS_RESERVE_SECONDS = 35.0
PRIOR_RESERVE_SECONDS = 30.0
CALL_RESERVE_SECONDS = 15.0


class DeadlineReached(RuntimeError):
    """The run stopped a phase to leave time to report; what was left undone is named."""


@dataclass(frozen=True, slots=True)
class Deadline:
    context: Any  # the Lambda context; None when run outside Lambda (no limit)
    reserve_seconds: float = READ_RESERVE_SECONDS

    def remaining(self) -> float | None:
        """Seconds left in the invocation; None when there is no limit."""
        if self.context is None or not hasattr(self.context, "get_remaining_time_in_millis"):
            return None
        return self.context.get_remaining_time_in_millis() / 1000

    def leaves(self, seconds: float) -> bool:
        """Whether at least ``seconds`` remain (always, without a limit)."""
        remaining = self.remaining()
        return remaining is None or remaining >= seconds

    def passed(self) -> bool:
        """Reads must stop: only the reserve for analysing and reporting is left."""
        return not self.leaves(self.reserve_seconds)

    def analysis_passed(self) -> bool:
        """Analysis must stop: only the reserve for reporting is left."""
        return not self.leaves(ANALYSIS_RESERVE_SECONDS)
