"""A VPC endpoint as Config records it or as EC2 describes it, parsed once.

Config's ``AWS::EC2::VPCEndpoint`` configuration is EC2's ``VpcEndpoint`` with camel-case keys
(``vpcEndpointId``, ``vpcEndpointType``, ``serviceName``, ``policyDocument``, ``state`` as
``{"value": …}``: awslabs/aws-config-resource-schema, AWS::EC2::VPCEndpoint); EC2's
``DescribeVpcEndpoints`` has the same fields capitalised, ``State`` a string. Both are read.
A record without a ``policyDocument`` field is *unknown*, not "no policy".
"""

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecr_access.exposure.endpoint_policies import EndpointKind, endpoint_kind


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    endpoint_id: str
    kind: EndpointKind
    service_name: str
    policy: str | None  # None: no policy document recorded (the default full-access policy applies)
    state: str | None
    policy_known: bool = True  # False: the record does not say (absent field), so it is unknown


def _field(item: Mapping[str, Any], camel: str) -> Any:
    return item.get(camel, item.get(camel[:1].upper() + camel[1:]))


def _policy_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return json.dumps(value)
    text = str(value).strip()
    if text.startswith("%7B"):  # some EC2 shapes hand the document URL-encoded
        text = urllib.parse.unquote(text)
    return text


def endpoint_record(item: Mapping[str, Any]) -> EndpointRecord | None:
    """From a configuration item's ``configuration`` or a DescribeVpcEndpoints entry; None if it is
    not an endpoint at all."""
    endpoint_id = _field(item, "vpcEndpointId")
    if not isinstance(endpoint_id, str) or not endpoint_id:
        return None
    service = _field(item, "serviceName")
    state = _field(item, "state")
    if isinstance(state, Mapping):  # Config's recorded shape: {"value": "available"}
        state = state.get("value")
    known = "policyDocument" in item or "PolicyDocument" in item
    return EndpointRecord(
        endpoint_id,
        endpoint_kind(service, _field(item, "vpcEndpointType")),
        str(service or ""),
        _policy_text(_field(item, "policyDocument")),
        str(state) if state is not None else None,
        known,
    )
