"""The one error the engine raises for input it cannot understand."""


class PolicyError(ValueError):
    """A policy document is malformed or uses something the engine cannot judge.

    The message is meant for a person: it names the statement and element at fault
    and what AWS would accept instead. Callers report it; they never treat the
    document as harmless.
    """
