"""Shared test vocabulary: the accounts and organizations every table speaks of, and moto fixtures."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from moto import mock_aws

from ecr_access.testing.config_harness import ConfigCapture, capture_config

OWNER = "111122223333"
TRUSTED_ACCOUNT = "444455556666"
UNTRUSTED_ACCOUNT = "999988887777"
TRUSTED_ORG = "o-trusted001"
UNTRUSTED_ORG = "o-untrusted1"

PULL = "ecr:GetDownloadUrlForLayer"


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    """A policy document around the given statements (the tables' only shorthand)."""
    document: dict = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


@pytest.fixture(autouse=True)
def wide_reports(monkeypatch):
    """Reports as on a wide terminal (aligned columns, reasons unwrapped): the tests read reasons whole.
    The list layout below 100 columns is tested where a test sets COLUMNS itself."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def moto(monkeypatch):
    """An in-process AWS account (moto) in us-east-1."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


@pytest.fixture
def capture(moto):
    """Every AWS call of the test, recorded (and scriptable) at the botocore level."""
    recorded = ConfigCapture()
    with capture_config(recorded):
        yield recorded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def moto_server(monkeypatch):
    """moto_server on 127.0.0.1 (a free port) for the real AWS CLI; boto3 in this process uses it too.

    Started and stopped here, so .ci/run needs no server of its own.
    """
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url,
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def aws_cli(command: str) -> subprocess.CompletedProcess:
    """Run a printed AWS CLI command (bash: it may hold $(…)) with this venv's `aws` first on PATH."""
    env_bin = str(Path(sys.executable).parent)
    return subprocess.run(
        ["bash", "-c", f'PATH="{env_bin}:$PATH"; {command}'], capture_output=True, text=True, timeout=120
    )
