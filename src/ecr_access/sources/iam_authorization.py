"""IAM's authorization details in one sweep, as the effective-permission rule reads them periodically.

One ``GetAccountAuthorizationDetails`` sweep (1,000 items a page, the filters
below) gives every user, role, group and managed policy in
(principals + policies) / 1,000 calls, with no per-principal call. A page that
fails (past botocore's retries) or a deadline that nears ends the sweep as incomplete.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import Deadline
from ecr_access.sources.aws_errors import describe_error

log = logging.getLogger("ecr_access.sources")
AUTHORIZATION_FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
PAGE_SIZE = 1_000


@dataclass(slots=True)
class AuthorizationSweep:
    pages: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    failure: str | None = None


def sweep_authorization_details(iam: Any, *, deadline: Deadline) -> AuthorizationSweep:
    sweep = AuthorizationSweep()
    request: dict[str, Any] = {"Filter": AUTHORIZATION_FILTER, "MaxItems": PAGE_SIZE}
    while True:
        try:
            page = iam.get_account_authorization_details(**request)
        except (ClientError, BotoCoreError) as exc:
            sweep.complete, sweep.failure = (
                False,
                f"GetAccountAuthorizationDetails page {len(sweep.pages) + 1}: "
                + (describe_error(exc, "iam")),
            )
            log.error("authorization-details sweep failed: %s", sweep.failure)
            return sweep
        sweep.pages.append(page)
        if not page.get("IsTruncated"):
            return sweep
        if deadline.passed():
            sweep.complete, sweep.failure = False, f"deadline reached after {len(sweep.pages)} page(s)"
            log.error("authorization-details sweep stopped: %s", sweep.failure)
            return sweep
        request["Marker"] = page["Marker"]
