"""PutEvaluations in batches of 100, retrying FailedEvaluations, never dropping them silently.

PutEvaluations takes at most 100 evaluations a call and reports the ones it did
not record in ``FailedEvaluations`` (Config API reference, PutEvaluations); rdklib
ignores that list. Here each failed evaluation is sent again with exponential
backoff, and whatever still fails is raised. Neither a call nor a backoff sleep is
started without ``CALL_RESERVE_SECONDS`` left (deadline.py): the run raises its
own error, naming what was not put, instead of being killed mid-retry.
"""

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from ecr_access.config_rules.deadline import CALL_RESERVE_SECONDS, Deadline, DeadlineReached

BATCH_SIZE = 100
ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5

log = logging.getLogger("ecr_access.config_rules")


def _names(evaluations: Sequence[dict[str, Any]]) -> str:
    shown = ", ".join(f"{e['ComplianceResourceType']} {e['ComplianceResourceId']}" for e in evaluations[:10])
    return shown + (f" and {len(evaluations) - 10} more" if len(evaluations) > 10 else "")


class EvaluationsNotRecorded(RuntimeError):
    """Config refused some evaluations even after retries."""

    def __init__(self, failed: Sequence[dict[str, Any]]) -> None:
        super().__init__(
            f"Config did not record {len(failed)} evaluation(s) after {ATTEMPTS} attempts: {_names(failed)}"
        )
        self.failed = list(failed)


def put_evaluations(
    config: Any,
    evaluations: Sequence[dict[str, Any]],
    *,
    result_token: str,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Deadline | None = None,
) -> int:
    """Put every evaluation; returns how many calls were made. ``TESTMODE`` tokens put in test mode."""
    deadline = deadline or Deadline(None)
    test_mode = result_token == "TESTMODE"
    calls = 0
    unrecorded: list[dict[str, Any]] = []
    for start in range(0, len(evaluations), BATCH_SIZE):
        pending = list(evaluations[start : start + BATCH_SIZE])
        for attempt in range(ATTEMPTS):
            wait = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1) if attempt else 0.0
            if not deadline.leaves(CALL_RESERVE_SECONDS + wait):
                left = [*unrecorded, *pending, *evaluations[start + BATCH_SIZE :]]
                raise DeadlineReached(
                    f"stopped putting evaluations to leave time to report: {len(left)} not put "
                    f"({_names(left)})"
                )
            if wait:
                sleep(wait)
            response = config.put_evaluations(
                Evaluations=pending, ResultToken=result_token, TestMode=test_mode
            )
            calls += 1
            failed_keys = {
                (f["ComplianceResourceType"], f["ComplianceResourceId"])
                for f in response.get("FailedEvaluations", ())
            }
            pending = [
                e for e in pending if (e["ComplianceResourceType"], e["ComplianceResourceId"]) in failed_keys
            ]
            if not pending:
                break
            log.warning(
                "Config did not record %d evaluation(s); attempt %d of %d",
                len(pending),
                attempt + 1,
                ATTEMPTS,
            )
        unrecorded.extend(pending)
    if unrecorded:
        raise EvaluationsNotRecorded(unrecorded)
    return calls
