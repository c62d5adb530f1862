"""Who made a CloudTrail-recorded ECR call, as the allow-list names principals.

CloudTrail's ``userIdentity`` (CloudTrail User Guide, "CloudTrail userIdentity element"):
- ``AssumedRole``: ``arn`` is the session (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``);
  the role itself, path included, is ``sessionContext.sessionIssuer.arn`` — that is what
  ``AllowedPrincipalArns`` and ``aws:PrincipalArn`` name;
- ``IAMUser``: ``arn`` is the user; ``Root``: the account's root user;
- ``FederatedUser``: the session of a federation token, issued by the user in
  ``sessionContext.sessionIssuer``;
- ``AWSService``: a service principal (``invokedBy``), not an IAM principal;
- ``AWSAccount``: a principal of another account, known only by its account.
A record without the fields a type needs is kept as UNKNOWN: never an approved caller.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Any


class CallerType(Enum):
    ROLE = "role"
    USER = "user"
    ROOT = "root"
    FEDERATED = "federated user"
    SERVICE = "AWS service"
    ACCOUNT = "another account"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Caller:
    type: CallerType
    principal_arn: str | None  # the role (not the session), the user, the root; None for services
    account: str | None
    session: str | None = None  # the role session name, when there is one
    invoked_by: str | None = None  # the service that made the call on the caller's behalf
    principal_id: str | None = None  # the role's or user's unique id (AROA…, AIDA…), what runbooks take

    @property
    def label(self) -> str:
        return self.principal_arn or self.invoked_by or f"{self.type.value} of account {self.account}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _unique_id(entity: dict[str, Any]) -> str | None:
    """A role's or user's unique id as IAM issues it (IAM User Guide, "Unique identifiers": AROA… for
    roles, AIDA… for users); anything else (a session's ``AROA…:name``, a hostile value) is None."""
    value = _text(entity.get("principalId"))
    if value and value[:4] in ("AROA", "AIDA") and 16 <= len(value) <= 128 and value.isalnum():
        return value
    return None


def caller_of(record: dict[str, Any]) -> Caller:
    identity = record.get("userIdentity")
    if not isinstance(identity, dict):
        return Caller(CallerType.UNKNOWN, None, None)
    kind, arn, account = identity.get("type"), _text(identity.get("arn")), _text(identity.get("accountId"))
    invoked_by = _text(identity.get("invokedBy"))
    context = identity.get("sessionContext") if isinstance(identity.get("sessionContext"), dict) else {}
    issuer = context.get("sessionIssuer") if isinstance(context.get("sessionIssuer"), dict) else {}
    if kind == "AssumedRole":
        role = _text(issuer.get("arn"))
        session = arn.rsplit("/", 1)[1] if arn and arn.count("/") >= 2 else None
        if role is None:
            return Caller(CallerType.UNKNOWN, None, account, session, invoked_by)
        role_account = _text(issuer.get("accountId")) or account
        return Caller(CallerType.ROLE, role, role_account, session, invoked_by, _unique_id(issuer))
    if kind == "IAMUser":
        kind_of_user = CallerType.USER if arn else CallerType.UNKNOWN
        return Caller(kind_of_user, arn, account, None, invoked_by, _unique_id(identity))
    if kind == "Root":
        return Caller(CallerType.ROOT, arn or (f"arn:aws:iam::{account}:root" if account else None), account)
    if kind == "FederatedUser":
        return Caller(CallerType.FEDERATED, _text(issuer.get("arn")) or arn, account, None, invoked_by)
    if kind == "AWSService":
        return Caller(CallerType.SERVICE, None, account, None, invoked_by)
    if kind == "AWSAccount":
        return Caller(CallerType.ACCOUNT, None, account, None, invoked_by)
    return Caller(CallerType.UNKNOWN, arn, account, None, invoked_by)
