"""Repository and registry policies in CloudFormation, SAM and CDK-synthesised templates.

``AWS::ECR::Repository`` ``Properties.RepositoryPolicyText`` and ``AWS::ECR::RegistryPolicy``
``Properties.PolicyText`` (CloudFormation Template Reference, AWS::ECR::Repository and
AWS::ECR::RegistryPolicy: a JSON object, or JSON text). YAML with short-form intrinsics
(``!Sub``, ``!Ref``, ``!GetAtt`` …) and JSON templates (CDK's ``cdk.out/*.template.json``)
are read by one loader that keeps each node's line. Intrinsics resolve only where the answer
is certain: ``${AWS::AccountId}``/``Ref AWS::AccountId`` and ``${AWS::Partition}`` to the
``--account`` and ``aws``, and ``${AWS::Region}`` to ``*`` (the stack's Region is the
repository's own, so a pattern naming it names the repository either way); anything else (a
parameter, an import) makes the policy *unjudged*, which is reported, never read as safe.

Hostile input: aliases are refused (CloudFormation does not accept them, and an alias bomb
would expand when the policy is serialised), and nesting is bounded by the engine.
"""

from typing import Any

import yaml

from ecr_access.iac.locations import PolicyKind, PolicyLocation

_PROPERTIES = {
    "AWS::ECR::Repository": ("RepositoryPolicyText", PolicyKind.REPOSITORY),
    "AWS::ECR::RegistryPolicy": ("PolicyText", PolicyKind.REGISTRY),
}
_SHORT_FORMS = (
    "Ref", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
    "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs", "Condition", "Transform", "ToJsonString",
)  # fmt: skip


class UnresolvedIntrinsic(ValueError):
    pass


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases are refused (CloudFormation does not accept them)")
        return super().compose_node(parent, index)


def _short_form(name: str):
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        key = "Ref" if name == "Ref" else ("Condition" if name == "Condition" else f"Fn::{name}")
        return {key: value}

    return construct


for _name in _SHORT_FORMS:
    _Loader.add_constructor(f"!{_name}", _short_form(_name))


def _lines(node: yaml.Node, path: tuple[str, ...], found: dict[tuple[str, ...], int]) -> None:
    """The line of every mapping key down to Resources.<id>.Properties.<key> (1-based)."""
    if isinstance(node, yaml.MappingNode) and len(path) < 4:
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                here = (*path, str(key.value))
                found[here] = key.start_mark.line + 1
                _lines(value, here, found)


def _resolved(value: Any, account: str) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                if argument == "AWS::AccountId":
                    return account
                if argument == "AWS::Partition":
                    return "aws"
                raise UnresolvedIntrinsic(f"Ref {argument}")
            if key == "Fn::Sub" and isinstance(argument, str):
                text = argument
                for name, value in (("AccountId", account), ("Partition", "aws"), ("Region", "*")):
                    text = text.replace("${AWS::" + name + "}", value)
                if "${" in text.replace("${aws:", "").replace("${AWS:", ""):
                    raise UnresolvedIntrinsic(f"Fn::Sub {argument[:80]!r}")
                return text
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvedIntrinsic(key)
        return {k: _resolved(v, account) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, account) for v in value]
    return value


def looks_like_template(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("Resources"), dict)


def load(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """The template and the lines of its keys; raises yaml.YAMLError."""
    node = yaml.compose(text, Loader=_Loader)
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _lines(node, (), lines)
    return yaml.load(text, Loader=_Loader), lines


def policies(
    file: str, template: dict[str, Any], lines: dict[tuple[str, ...], int], account: str
) -> list[PolicyLocation]:
    found = []
    for logical, resource in template["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") not in _PROPERTIES:
            continue
        key, kind = _PROPERTIES[resource["Type"]]
        properties = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        if key not in properties:
            continue
        line = lines.get(("Resources", str(logical), "Properties", key)) or lines.get(
            ("Resources", str(logical)), 1
        )
        try:
            document, unjudged = _resolved(properties[key], account), None
        except UnresolvedIntrinsic as exc:
            document, unjudged = None, f"uses {exc}, which only CloudFormation can resolve"
        found.append(PolicyLocation(file, line, str(logical), kind, document, unjudged))
    return found
