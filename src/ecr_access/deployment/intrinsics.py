"""CloudFormation intrinsics the templates build policies with."""

from typing import Any


def with_sub(value: Any) -> Any:
    """A policy with every string that names ${AWS::Partition}/${AWS::AccountId} wrapped in Fn::Sub."""
    if isinstance(value, dict):
        return {k: with_sub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_sub(v) for v in value]
    if isinstance(value, str) and "${" in value:
        return {"Fn::Sub": value}
    return value
