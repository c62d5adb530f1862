"""AWS clients for a rule run: rdklib's cross-account behaviour, with adaptive retries.

Same interface and role logic as ``rdklib.ClientFactory`` (assume the execution
role — ``ExecutionRoleName`` in the member account — unless ``AssumeRoleMode`` is
false), but every client retries in botocore's ``adaptive`` mode, so a sweep that
meets throttling slows down instead of failing, and clients are cached per
service and Region for the run. IAM clients return policy documents as text
(sources/iam_policy_text.py); the Config client's retries are bounded in time.
"""

import os
from typing import Any

import boto3
from botocore.config import Config

from ecr_access.config_rules.deadline import Deadline
from ecr_access.sources.iam_policy_text import keep_policy_text

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=16)
# Config calls are the run's last phase: one call, retries and timeouts included, must fit in
# CALL_RESERVE_SECONDS (deadline.py): 2 attempts × (2 s connect + 4 s read) + backoff ≈ 13 s.
CONFIG_CALLS = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=4)
SESSION_SECONDS = 900


def _config(service: str) -> Config:
    return CONFIG_CALLS if service == "config" else RETRIES


def _configured(service: str, client: Any) -> Any:
    # IAM documents are judged as IAM stored them, with the engine's strict parser.
    return keep_policy_text(client) if service == "iam" else client


class RuleClients:
    def __init__(
        self,
        role_arn: str | None,
        region: str | None = None,
        assume_role_mode: bool = True,
        deadline: Deadline | None = None,
        session: boto3.Session | None = None,
    ) -> None:
        # The run's time budget travels with its clients: rdklib's evaluate_periodic
        # signature has no place for the Lambda context.
        self.deadline = deadline or Deadline(None)
        self._role_arn = role_arn
        self._region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self._assume = assume_role_mode
        self._session: boto3.Session | None = None
        # The caller's own credentials (`ecr-access scan --profile`); the Lambda's by default.
        self._own = session
        self._clients: dict[tuple[str, str | None, bool], Any] = {}

    def _assumed_session(self) -> boto3.Session:
        if self._session is None:
            if not self._role_arn:
                raise RuntimeError(
                    "no execution role to assume: set ExecutionRoleName or AssumeRoleMode=false"
                )
            sts = self._own_client("sts", self._region)
            credentials = sts.assume_role(
                RoleArn=self._role_arn,
                RoleSessionName="ecr-access-config-rule",
                DurationSeconds=SESSION_SECONDS,
            )["Credentials"]
            self._session = boto3.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return self._session

    @property
    def region(self) -> str | None:
        return self._region

    def for_account(self, account: str) -> "RuleClients":
        """Clients acting in another account through the execution role of the same name there
        (the member stack creates ``ExecutionRoleName`` in every account)."""
        if not self._role_arn:
            raise RuntimeError("no execution role to assume in another account: set ExecutionRoleName")
        fields = self._role_arn.split(":", 5)
        role_arn = ":".join([*fields[:4], account, fields[5]])
        return RuleClients(role_arn, self._region, True, self.deadline, self._own)

    def build_client(self, service: str, region: str | None = None, assume_role_mode: bool = True) -> Any:
        region = region or self._region
        assume = assume_role_mode and self._assume
        key = (service, region, assume)
        if key not in self._clients:
            if assume:
                self._clients[key] = _configured(
                    service,
                    self._assumed_session().client(service, region_name=region, config=_config(service)),
                )
            else:
                self._clients[key] = self._own_client(service, region)
        return self._clients[key]

    def _own_client(self, service: str, region: str | None) -> Any:
        return _configured(
            service, (self._own or boto3).client(service, region_name=region, config=_config(service))
        )


def deadline_of(client_factory: Any) -> Deadline:
    """The run's deadline; none when the factory is not ours (rdk test-local passes mocks)."""
    deadline = getattr(client_factory, "deadline", None)
    return deadline if isinstance(deadline, Deadline) else Deadline(None)
