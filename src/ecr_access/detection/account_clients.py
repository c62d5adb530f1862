"""AWS clients in the account a finding belongs to: the Lambda's own, or a member account's.

With the organization pattern the detection Lambda (security account) judges events from
every member account. Three things must happen *in* the member account: importing the
finding into Security Hub (BatchImportFindings accepts, through the default product ARN,
only findings whose ``AwsAccountId`` is the calling account: Security Hub API Reference,
BatchImportFindings), reading the caller's IAM record (tags, trust policy), and asking for
a revoke on that account's default bus. The forwarder stack creates, in every member
account, the role ``ecr-access-detection-member`` for exactly those calls, trusted only by
the detection Lambda's role; the Lambda may assume it only in its organization's accounts
(aws:ResourceOrgID in its own policy). Without a member role name, or when the role
cannot be assumed, other accounts get SNS only — reported in the log, never an error.
"""

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

MEMBER_ROLE_NAME = "ecr-access-detection-member"
SESSION_NAME = "ecr-access-detection"
# AssumeRole's default session lasts an hour (STS API Reference, AssumeRole: DurationSeconds);
# a Lambda instance can live longer, so member credentials are renewed well before that.
RENEW_AFTER_SECONDS = 45 * 60


class AccountClients:
    def __init__(
        self,
        own_account: str,
        member_role_name: str | None,
        *,
        partition: str,
        make_client: Callable[..., Any],
        log: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.own_account, self.member_role_name, self.partition = own_account, member_role_name, partition
        self._make_client, self._log, self._clock = make_client, log, clock
        self._credentials: dict[str, tuple[dict[str, str] | None, float]] = {}
        self._clients: dict[tuple[str, str, str | None], Any] = {}

    def client(self, service: str, account: str, region: str | None = None) -> Any | None:
        """A client of ``service`` acting in ``account`` (and ``region``), or None when it cannot."""
        key = (service, account, region)
        obtained = self._credentials.get(account, (None, 0.0))[1]
        if account != self.own_account and self._clock() - obtained > RENEW_AFTER_SECONDS:
            self._credentials.pop(account, None)
            for stale in [k for k in self._clients if k[1] == account]:
                del self._clients[stale]
        if key not in self._clients:
            if account == self.own_account:
                self._clients[key] = self._make_client(service, region_name=region)
            else:
                credentials = self._member_credentials(account)
                self._clients[key] = (
                    None
                    if credentials is None
                    else self._make_client(
                        service,
                        region_name=region,
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"],
                    )
                )
        return self._clients[key]

    def _member_credentials(self, account: str) -> dict[str, str] | None:
        if account not in self._credentials:
            credentials = None
            if self.member_role_name and account.isdigit() and len(account) == 12:
                role = f"arn:{self.partition}:iam::{account}:role/{self.member_role_name}"
                try:
                    sts = self._make_client("sts")
                    credentials = sts.assume_role(RoleArn=role, RoleSessionName=SESSION_NAME)["Credentials"]
                except (ClientError, BotoCoreError, KeyError) as exc:
                    self._log(f"ecr-access detection: cannot act in account {account} ({role}): {exc}")
            self._credentials[account] = (credentials, self._clock())  # a failure is retried later too
        return self._credentials[account][0]
