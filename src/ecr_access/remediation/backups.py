"""A policy's text backed up before a runbook rewrites it: SSM parameters, in pieces.

A Standard parameter holds 4 KB (Systems Manager quotas), less than a repository policy
(10,240 characters) or an endpoint policy (20,480) may need, so the text goes in pieces
``<path>/part-N``, written with ``Overwrite=False`` (a backup is never replaced), and the
restore command reads them back in order.
"""

from typing import Any

from ecr_access.remediation.script_inputs import RemediationRefused

BACKUP_PREFIX = "/ecr-access/backup"
PARAMETER_BYTES = 4_096  # a Standard SSM parameter's value (Systems Manager quotas: 4 KB)
MAX_PIECES = 8  # 32 KB: an ASCII endpoint policy needs 5, a repository policy 3


def backup_pieces(text: str) -> list[str]:
    """The text in pieces of at most PARAMETER_BYTES (UTF-8), none ending in whitespace, so that
    ``$(…)`` in the restore command, which drops trailing newlines, loses nothing."""
    pieces, start = [], 0
    while start < len(text):
        end = start
        size = 0
        while end < len(text) and size + len(text[end].encode()) <= PARAMETER_BYTES:
            size += len(text[end].encode())
            end += 1
        while end < len(text) and end > start + 1 and text[end - 1].isspace():
            end -= 1
        pieces.append(text[start:end])
        start = end
    if len(pieces) > MAX_PIECES:
        raise RemediationRefused(f"the policy needs {len(pieces)} backup pieces; refusing before any write")
    return pieces


def write_backup(ssm: Any, path: str, text: str, description: str) -> list[str]:
    """The parameters written (none for an empty text), in order."""
    parameters = []
    for number, piece in enumerate(backup_pieces(text), 1):
        parameter = f"{path}/part-{number}"
        ssm.put_parameter(
            Name=parameter,
            Value=piece,
            Type="String",
            Tier="Standard",
            Overwrite=False,
            Description=f"{description}, part {number}",
        )
        parameters.append(parameter)
    return parameters
