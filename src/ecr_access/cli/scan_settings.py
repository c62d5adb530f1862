"""The rules' parameters for ``ecr-access scan``: from a TOML file and flags, as Config would pass them.

The names are the rules' own (each rule folder's ``parameters.json``), so one file
serves the scan and the conformance pack's parameters. Config passes every value
as a string: lists become comma-separated strings and booleans ``"true"``/``"false"``,
then each rule's own ``evaluate_parameters`` validates them, as in Lambda.

    [ECR_REPO_NOT_PUBLIC]
    TrustedAccountIds = ["444455556666"]
    TrustedOrganizationIds = ["o-a1b2c3d4e5"]

    [ECR_LAYER_DOWNLOAD_RESTRICTED]
    AllowedPrincipalArns = ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin*"]
    EvaluateScps = true
"""

import argparse
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from ecr_access.cli.exit_codes import UsageError
from ecr_access.config_rules.rule_modules import (
    ALL_RULES,
    ENDPOINT_RULE,
    PRINCIPAL_RULE,
    REPOSITORY_RULE,
    RULES_FOLDER,
)

# flag → (rule, parameter); repeatable flags add to a list
FLAGS = {
    "trusted_account": (REPOSITORY_RULE, "TrustedAccountIds"),
    "trusted_org": (REPOSITORY_RULE, "TrustedOrganizationIds"),
    "exemption_tag_key": (REPOSITORY_RULE, "ExemptionTagKey"),
    "allowed_principal_arn": (PRINCIPAL_RULE, "AllowedPrincipalArns"),
    "allowed_tag": (PRINCIPAL_RULE, "AllowedPrincipalTag"),  # KEY=VALUE, split below
    "allowed_service_principal": (PRINCIPAL_RULE, "AllowedServicePrincipals"),
    "conditional_is_compliant": (PRINCIPAL_RULE, "ConditionalAccessIsCompliant"),
    "evaluate_scps": (PRINCIPAL_RULE, "EvaluateScps"),
    "evaluate_rcps": (PRINCIPAL_RULE, "EvaluateRcps"),
    "registry_account": (PRINCIPAL_RULE, "RegistryAccountIds"),
}


@cache
def known_parameters(rule: str) -> frozenset[str]:
    """The optional parameters the rule declares in its RDK parameters.json."""
    declared = json.loads((RULES_FOLDER / rule / "parameters.json").read_text())["Parameters"]
    return frozenset(json.loads(declared.get("OptionalParameters") or "{}"))


def _as_config_string(rule: str, name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, str):
        return value
    raise UsageError(f"[{rule}] {name}: expected a string, a list of strings or a boolean")


def from_toml(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    parameters: dict[str, dict[str, str]] = {rule: {} for rule in ALL_RULES}
    for rule, values in data.items():
        if rule not in parameters or not isinstance(values, dict):
            raise UsageError(f"{path}: unknown section [{rule}]: expected one of {', '.join(ALL_RULES)}")
        for name, value in values.items():
            if name not in known_parameters(rule):
                known = ", ".join(sorted(known_parameters(rule)))
                raise UsageError(f"{path}: [{rule}] has no parameter {name} (known: {known})")
            parameters[rule][name] = _as_config_string(rule, name, value)
    return parameters


def rule_parameters(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """Each rule's parameters: the file's, then the flags' (a flag replaces the file's value)."""
    parameters = from_toml(Path(args.config)) if args.config else {rule: {} for rule in ALL_RULES}
    for flag, (rule, name) in FLAGS.items():
        value = getattr(args, flag)
        if value in (None, [], False):
            continue
        if flag == "allowed_tag":
            key, equals, tag_value = value.partition("=")
            if not equals or not key:
                raise UsageError(f"--allowed-tag needs KEY=VALUE, not {value!r}")
            parameters[rule]["AllowedPrincipalTagKey"] = key
            parameters[rule]["AllowedPrincipalTagValue"] = tag_value
            continue
        parameters[rule][name] = _as_config_string(rule, name, value)
    # The endpoint rule trusts what the repository rule trusts, as the conformance pack passes the
    # same TrustedAccountIds/TrustedOrganizationIds to both, unless its own section says otherwise.
    for name in ("TrustedAccountIds", "TrustedOrganizationIds"):
        if name in parameters[REPOSITORY_RULE]:
            parameters[ENDPOINT_RULE].setdefault(name, parameters[REPOSITORY_RULE][name])
    return parameters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    rules = parser.add_argument_group("rule parameters (override --config)")
    rules.add_argument("--config", metavar="FILE", help="TOML file with the rules' parameters")
    rules.add_argument(
        "--trusted-account",
        action="append",
        default=[],
        metavar="ID",
        help="an account that may pull (repeatable)",
    )
    rules.add_argument(
        "--trusted-org",
        action="append",
        default=[],
        metavar="o-…",
        help="an organization that may pull (repeatable)",
    )
    rules.add_argument("--exemption-tag-key", metavar="KEY", help="repositories tagged KEY=true are exempt")
    rules.add_argument(
        "--allowed-principal-arn",
        action="append",
        default=[],
        metavar="PATTERN",
        help="an allow-listed principal ARN, * allowed (repeatable)",
    )
    rules.add_argument("--allowed-tag", metavar="KEY=VALUE", help="principals with this tag are allow-listed")
    rules.add_argument(
        "--allowed-service-principal",
        action="append",
        default=[],
        metavar="SERVICE",
        help="roles only this service can assume are allow-listed, e.g. ecs-tasks.amazonaws.com (repeatable)",
    )
    rules.add_argument(
        "--conditional-is-compliant",
        action="store_true",
        help="conditional access (e.g. only through a VPC endpoint) counts as compliant",
    )
    rules.add_argument(
        "--evaluate-scps",
        action="store_true",
        help="take SCPs into account (needs Organizations read access)",
    )
    rules.add_argument(
        "--evaluate-rcps",
        action="store_true",
        help="take RCPs into account for the account's repositories (needs Organizations read access)",
    )
    rules.add_argument(
        "--registry-account",
        action="append",
        default=[],
        metavar="ID",
        help="a registry account whose repository policies decide cross-account pulls (repeatable; "
        "read through the execution role there)",
    )
