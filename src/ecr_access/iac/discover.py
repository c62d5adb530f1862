"""Every repository or registry policy a file holds, whatever the file is.

A bare policy document (``{"Statement": …}``), a CloudFormation/SAM/CDK template (YAML or
JSON), or a Terraform plan (``terraform show -json``). Anything else is an error that names
the file. Files are read bounded (``MAX_FILE_CHARS``: CloudFormation accepts templates up
to 1 MB from S3; plans of large estates are bigger, hence the margin).
"""

import json
from pathlib import Path

import yaml

from ecr_access.iac import cloudformation, terraform
from ecr_access.iac.locations import PolicyKind, PolicyLocation
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import STRICT_DECODER

MAX_FILE_CHARS = 16 * 1024 * 1024


class NotAPolicySource(ValueError):
    """The file holds no policy, template or plan this command can read."""


def policies_in(file: str, text: str, *, account: str) -> list[PolicyLocation]:
    try:
        document = STRICT_DECODER.decode(text)
        is_json = True
    except (json.JSONDecodeError, PolicyError, RecursionError):
        document, is_json = None, False
    if is_json and isinstance(document, dict) and "Statement" in document:
        return [PolicyLocation(file, 1, "policy", PolicyKind.REPOSITORY, text)]
    if is_json and terraform.looks_like_plan(document):
        return terraform.policies(file, document, text)
    try:
        template, lines = cloudformation.load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise NotAPolicySource(f"{file} is neither JSON nor YAML: {str(exc).splitlines()[0][:160]}") from exc
    if cloudformation.looks_like_template(template):
        return cloudformation.policies(file, template, lines, account)
    raise NotAPolicySource(f"{file} is not a policy, a CloudFormation template or a Terraform plan")


def read_source(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        text = handle.read(MAX_FILE_CHARS + 1)
    if len(text) > MAX_FILE_CHARS:
        raise NotAPolicySource(f"{path} is longer than {MAX_FILE_CHARS:,} characters")
    return text
