"""A found policy judged by the engine: its verdict and the reasons, for reports and SARIF."""

import json
from dataclasses import dataclass
from enum import Enum

from ecr_access.exposure import analyze_repository_policy
from ecr_access.exposure.analyze import analyze_parsed_policy
from ecr_access.iac.locations import PolicyKind, PolicyLocation
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.parse import parse_policy_text


class Verdict(Enum):
    RESTRICTED = 0
    CROSS_ACCOUNT_UNTRUSTED = 1
    PUBLIC = 2
    UNJUDGED = 3  # cannot be judged here: never counted as safe


@dataclass(frozen=True, slots=True)
class Judged:
    location: PolicyLocation
    verdict: Verdict
    reasons: tuple[str, ...]
    pull_exposed: bool = False


def judge(location: PolicyLocation, *, account: str, trusted_accounts=(), trusted_org_ids=()) -> Judged:
    if location.unjudged is not None:
        return Judged(location, Verdict.UNJUDGED, (f"not judged: {location.unjudged}",))
    document = location.document
    try:
        text = document if isinstance(document, str) else json.dumps(document)
        if location.kind is PolicyKind.REGISTRY:
            exposure = analyze_parsed_policy(
                parse_policy_text(text),
                owner_account=account,
                trusted_accounts=trusted_accounts,
                trusted_org_ids=trusted_org_ids,
            )
        else:
            exposure = analyze_repository_policy(
                text,
                owner_account=account,
                trusted_accounts=trusted_accounts,
                trusted_org_ids=trusted_org_ids,
            )
    except (PolicyError, ValueError, RecursionError) as exc:  # hostile nesting: this policy only
        return Judged(location, Verdict.UNJUDGED, (f"not judged: {type(exc).__name__}: {str(exc)[:200]}",))
    verdict = Verdict[exposure.verdict.value]
    reasons = tuple(f.describe() for f in exposure.findings) or (exposure.summary(),)
    return Judged(location, verdict, reasons, exposure.pull_exposed)
