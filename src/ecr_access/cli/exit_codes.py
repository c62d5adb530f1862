"""Exit codes shared by every subcommand."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing exposed
    EXPOSED = 1  # something is exposed / allowed
    INVALID_INPUT = 2  # the input could not be judged; a one-line message says why


class UsageError(Exception):
    """Raised by a subcommand for input it cannot use; main() prints it and exits 2."""
