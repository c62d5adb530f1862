"""``ecr-access runbook-source FILE``: print the engine modules a runbook carries compressed.

A runbook too large for the 64 KB document limit carries the ecr_access modules
its handler imports as one zlib + base85 literal. This prints them, module by
module, straight from the document file an auditor holds.
"""

import argparse
import re

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.json_input import read_text
from ecr_access.remediation.render import unpack

_PACKED = re.compile(r"b85decode\('([^']+)'\)")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runbook-source", help="print the engine modules a runbook carries compressed"
    )
    parser.add_argument("file", help="an SSM document from remediation/")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    found = _PACKED.search(read_text(args.file))
    if found is None:
        raise UsageError(f"{args.file} carries no compressed modules: its script is readable as it is")
    for name, source in unpack(found.group(1)).items():
        print(f"# ==== {name} ====\n{source}\n")
    return ExitCode.OK
