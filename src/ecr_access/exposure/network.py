"""Network-only conditions: narrow enough to bound a grant, or not.

``aws:SourceIp``/``aws:VpcSourceIp`` CIDRs, ``aws:SourceVpc`` and
``aws:SourceVpce`` say where a request comes from, not who sends it, so at best
they make a public grant a bounded one that still reaches outside the zone of
trust. A range wider than an IPv4 /8 or an IPv6 /32 (outside private address
space), or a VPC/VPC endpoint id with a wildcard, is treated as bounding nothing,
following the "meaning of public" rule Amazon S3 and IAM Access Analyzer apply
to resource policies (S3 User Guide, "The meaning of public").
"""

import ipaddress

from ecr_access.policy.model import OperatorFamily
from ecr_access.policy.variables import Template

IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
VPC_KEYS = frozenset({"aws:sourcevpc", "aws:sourcevpce"})
NETWORK_KEYS = IP_KEYS | VPC_KEYS

_WIDEST_IPV4_PREFIX = 8
_WIDEST_IPV6_PREFIX = 32


def _narrow_cidr(text: str) -> bool:
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return True  # matches no address at all: certainly not broad
    widest = _WIDEST_IPV4_PREFIX if network.version == 4 else _WIDEST_IPV6_PREFIX
    return network.prefixlen >= widest or network.is_private


def network_value_is_narrow(key: str, family: OperatorFamily, value: Template, *, wildcards: bool) -> bool:
    if value.has_variables:
        return False
    if key in IP_KEYS:
        return family is OperatorFamily.IP_ADDRESS and _narrow_cidr(value.text)
    # Under StringEquals a '*' is literal text: it matches no VPC, so it is narrow.
    return not (wildcards and value.has_wildcards)
