"""Judged policies as a SARIF 2.1.0 log, so code-scanning UIs show each finding on its line.

OASIS SARIF 2.1.0 (schema ``sarif-schema-2.1.0.json``; the tests validate against it): one run,
the tool's rules in ``tool.driver.rules``, one result per policy that is exposed or could not
be judged, located by ``physicalLocation`` (file, ``region.startLine``) and
``logicalLocations`` (the template's resource). ``properties.security-severity`` is the
number GitHub code scanning maps to critical/high/medium.
"""

from importlib import metadata
from pathlib import Path
from typing import Any

from ecr_access.iac.judge import Judged, Verdict

INFORMATION_URI = "https://github.com/ecr-access/ecr-access"
_RULES = {
    Verdict.PUBLIC: (
        "ECRA001",
        "PublicPolicy",
        "A repository or registry policy lets anyone reach it",
        "error",
        "9.5",
    ),
    Verdict.CROSS_ACCOUNT_UNTRUSTED: (
        "ECRA002",
        "UntrustedAccountPolicy",
        "A repository or registry policy reaches an account or organization outside the trusted zone",
        "error",
        "8.0",
    ),
    Verdict.UNJUDGED: (
        "ECRA003",
        "UnjudgedPolicy",
        "A policy could not be judged (never counted as safe)",
        "warning",
        "5.0",
    ),
}


def _version() -> str:
    try:
        return metadata.version("ecr-access")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _uri(file: str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def sarif_log(judged: list[Judged]) -> dict[str, Any]:
    order = list(_RULES)
    rules = [
        {
            "id": rule_id,
            "name": name,
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": level},
            "properties": {"security-severity": severity, "tags": ["security", "ecr"]},
        }
        for rule_id, name, text, level, severity in _RULES.values()
    ]
    results = []
    for item in judged:
        if item.verdict is Verdict.RESTRICTED:
            continue
        rule_id, _, _, level, _ = _RULES[item.verdict]
        location = item.location
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": order.index(item.verdict),
                "level": level,
                "message": {"text": f"{location.kind.value} {item.verdict.name}: " + "; ".join(item.reasons)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(location.file)},
                            "region": {"startLine": max(1, location.line)},
                        },
                        "logicalLocations": [{"name": location.resource, "kind": "resource"}],
                    }
                ],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ecr-access",
                        "version": _version(),
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
