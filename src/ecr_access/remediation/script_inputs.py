"""Reading a runbook step's InputPayload: Automation passes every value as written in the document."""

from collections.abc import Mapping
from typing import Any


class RemediationRefused(RuntimeError):
    """The runbook will not act, for a reason a person must read; nothing was changed."""


def comma_separated(events: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = events.get(name) or ""
    if isinstance(value, list):  # a StringList parameter
        value = ",".join(value)
    return tuple(item.strip() for item in str(value).split(",") if item.strip())


def flag(events: Mapping[str, Any], name: str) -> bool:
    return str(events.get(name, "false")).strip().lower() == "true"
