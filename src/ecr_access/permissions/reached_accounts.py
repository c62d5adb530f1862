"""Which accounts' repositories a principal's identity policies could let it pull from.

An identity-based Allow names its resources; for an ECR action their ARNs carry the
registry's account (``arn:aws:ecr:REGION:ACCOUNT:repository/NAME``). A fixed account is
asked about by name; a wildcard in the account field (``*``, ``9999*``, or ``"*"`` as the
whole Resource, or a NotResource) reaches accounts no list can enumerate. Policy variables
are read at their widest (any account), except ``${aws:PrincipalAccount}``: the principal's
own account.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from ecr_access.permissions.principal import AttachedPolicy
from ecr_access.policy.model import Effect
from ecr_access.policy.variables import Escaped, Template, Variable
from ecr_access.policy.wildcard import has_wildcard, wildcard_match

_OWN_ACCOUNT_VARIABLE = "aws:principalaccount"


@dataclass(frozen=True, slots=True)
class ReachedAccounts:
    named: frozenset[str]  # fixed account ids in the account field
    open_fields: tuple[str, ...]  # account fields with wildcards ("*" for any account)


def _account_field(pattern: Template, own: str) -> str | None:
    """The account field of a resource pattern that could name an ECR repository, or None."""
    parts = []
    for part in pattern.parts:
        if isinstance(part, Variable):
            parts.append(own if part.key == _OWN_ACCOUNT_VARIABLE else "*")  # another: any value
        else:
            parts.append(part.char if isinstance(part, Escaped) else part)
    text = "".join(parts)
    if text == "*" or (has_wildcard(text) and ":" not in text):
        return "*"
    fields = text.split(":", 5)
    if len(fields) < 6 or not wildcard_match(fields[2], "ecr", case_sensitive=True):
        return None
    return fields[4]


def accounts_reached(policies: Iterable[AttachedPolicy], action: str, own: str) -> ReachedAccounts:
    named: set[str] = set()
    open_fields: dict[str, None] = {}
    for attached in policies:
        if attached.policy is None:
            continue  # unreadable: the own-account decision already says so
        for statement in attached.policy.statements:
            if statement.effect is not Effect.ALLOW or not statement.actions.matches(action):
                continue
            if statement.resources is None or statement.resources.negated:
                open_fields["*"] = None
                continue
            for pattern in statement.resources.patterns:
                field = _account_field(pattern, own)
                if field is None or field == own:
                    continue
                if has_wildcard(field) or not field:
                    open_fields[field or "*"] = None
                else:
                    named.add(field)
    return ReachedAccounts(frozenset(named), tuple(open_fields))


def example_account(field: str, avoid: frozenset[str]) -> str | None:
    """A 12-digit account the field matches that is none of ``avoid``, or None (ten tries)."""
    fill = 12 - len(field.replace("*", ""))
    if fill < 0 or ("*" not in field and fill != 0):
        return None
    for digit in "0123456789":
        out, first = [], True
        for char in field:
            if char == "*":
                out.append(digit * fill if first else "")
                first = False
            else:
                out.append(digit if char == "?" else char)
        text = "".join(out)
        if text.isdigit() and text not in avoid and wildcard_match(field, text, case_sensitive=True):
            return text
    return None
