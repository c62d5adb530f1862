"""IAM clients that return policy documents as IAM stored them: text, not dicts.

IAM returns every policy document URL-encoded (IAM API Reference,
GetAccountAuthorizationDetails: "Policies returned by this operation are
URL-encoded compliant with RFC 3986"). botocore decodes them with ``json.loads``
in its ``after-call.iam`` handler ``json_decode_policies``, where the last of two
duplicate keys silently wins, so ``{"Effect": "Allow", "Effect": "Deny"}`` would
be judged differently here than on the change-triggered path, which reads the
text in the configuration item. Our clients drop that handler (per client: other
clients keep it) and parse every document with the engine's strict parser.
"""

from typing import Any

from botocore.handlers import json_decode_policies


def keep_policy_text(iam: Any) -> Any:
    """The same IAM client, now returning policy documents as URL-encoded text."""
    iam.meta.events.unregister("after-call.iam", json_decode_policies)
    return iam
