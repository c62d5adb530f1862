"""Three-valued logic: a statement applies, does not, or depends on facts no document settles."""

from collections.abc import Iterable

from ecr_access.policy.identity_enum import IdentityEnum


class Tri(IdentityEnum):
    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    def __and__(self, other: "Tri") -> "Tri":
        return self if _RANK[self] <= _RANK[other] else other

    def __or__(self, other: "Tri") -> "Tri":
        return self if _RANK[self] >= _RANK[other] else other

    def __invert__(self) -> "Tri":
        return _NOT[self]

    @staticmethod
    def of(value: bool) -> "Tri":
        return Tri.TRUE if value else Tri.FALSE


_RANK = {Tri.FALSE: 0, Tri.UNKNOWN: 1, Tri.TRUE: 2}  # .value is a descriptor call; a dict is not
_NOT = {Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN, Tri.TRUE: Tri.FALSE}


def all_of(values: Iterable[Tri]) -> Tri:
    result = Tri.TRUE
    for value in values:
        result &= value
        if result is Tri.FALSE:
            break
    return result


def any_of(values: Iterable[Tri]) -> Tri:
    result = Tri.FALSE
    for value in values:
        result |= value
        if result is Tri.TRUE:
            break
    return result
