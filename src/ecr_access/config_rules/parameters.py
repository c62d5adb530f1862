"""Validating rule parameters; a bad value raises rdklib's InvalidParametersError with a clear message."""

import re
from collections.abc import Mapping
from typing import Any

from rdklib import InvalidParametersError

from ecr_access.aws_identifiers import ACCOUNT_ID, ORGANIZATION_ID
from ecr_access.policy.wildcard import wildcard_match

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# rdklib reads these itself (cross-account execution); they are validated, then passed through.
RDKLIB_PARAMETERS = ("ExecutionRoleName", "ExecutionRoleRegion", "AssumeRoleMode")


def csv(parameters: Mapping[str, Any], name: str) -> tuple[str, ...]:
    raw = parameters.get(name) or ""
    if isinstance(raw, bool | int | float):
        raw = str(raw)
    if not isinstance(raw, str):
        raise InvalidParametersError(f"{name} must be a comma-separated string, not {type(raw).__name__}")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _matching(
    parameters: Mapping[str, Any], name: str, pattern: re.Pattern[str], what: str
) -> tuple[str, ...]:
    values = csv(parameters, name)
    for value in values:
        if not pattern.match(value):
            raise InvalidParametersError(f"{name}: {value!r} is not {what}")
    return values


def account_ids(parameters: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return _matching(parameters, name, ACCOUNT_ID, "a 12-digit AWS account id")


def regions(parameters: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return _matching(parameters, name, _REGION, "a Region name such as eu-west-1")


def organization_ids(parameters: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return _matching(parameters, name, ORGANIZATION_ID, "an organization id such as o-a1b2c3d4e5")


# A role and a user nobody names, in an account nobody trusts: a pattern that covers them covers
# every role or user of every account, which is no allow-list at all.
_ANYONE_PROBES = (
    "arn:aws:iam::000000000000:role/ecr-access-unnamed-principal",
    "arn:aws:iam::000000000000:user/ecr-access-unnamed-principal",
)
_MAX_PATTERN_CHARS = 2_048  # the longest IAM ARN (IAM API Reference, ARN types: 20-2048)


def principal_arn_patterns(parameters: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """ARN patterns of an allow-list; one that would approve every principal is refused."""
    patterns = csv(parameters, name)
    for pattern in patterns:
        if len(pattern) > _MAX_PATTERN_CHARS or not pattern.startswith("arn:"):
            raise InvalidParametersError(
                f"{name}: {pattern[:80]!r} is not an IAM ARN pattern such as arn:aws:iam::*:role/ecr-admin-*"
            )
        if any(wildcard_match(pattern, probe, case_sensitive=True) for probe in _ANYONE_PROBES):
            raise InvalidParametersError(
                f"{name}: {pattern!r} matches every role or user of every account, so nothing would be "
                "judged; name the principals (an account, a path or a name prefix)"
            )
    return patterns


def boolean(parameters: Mapping[str, Any], name: str, *, default: bool) -> bool:
    raw = parameters.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip().lower()
    if text not in ("true", "false"):
        raise InvalidParametersError(f"{name} must be true or false, not {raw!r}")
    return text == "true"


def optional_text(
    parameters: Mapping[str, Any], name: str, *, pattern: str = r"^[\w+=,.@:/ -]{1,128}$"
) -> str | None:
    raw = parameters.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if not re.match(pattern, text):
        raise InvalidParametersError(f"{name}: {raw!r} is not valid here")
    return text


def rdklib_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the cross-account parameters rdklib consumes, and return them unchanged."""
    result = {}
    if (name := parameters.get("ExecutionRoleName")) not in (None, ""):
        if not _ROLE_NAME.match(str(name)):
            raise InvalidParametersError(f"ExecutionRoleName: {name!r} is not an IAM role name (no path)")
        result["ExecutionRoleName"] = name
    if (region := parameters.get("ExecutionRoleRegion")) not in (None, ""):
        if not _REGION.match(str(region)):
            raise InvalidParametersError(f"ExecutionRoleRegion: {region!r} is not a Region such as us-east-1")
        result["ExecutionRoleRegion"] = region
    if parameters.get("AssumeRoleMode") not in (None, ""):
        result["AssumeRoleMode"] = boolean(parameters, "AssumeRoleMode", default=True)
    return result
