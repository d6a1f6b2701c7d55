"""Fixtures: a LocalMTurk on a free loopback port and boto3 clients with fake credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import ACCESS_KEY, START, make_client


@pytest.fixture(autouse=True)
def _no_real_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never read the developer's AWS configuration or credentials."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def local() -> Iterator[LocalMTurk]:
    with LocalMTurk() as emulator:
        yield emulator


@pytest.fixture
def client(local: LocalMTurk) -> Any:
    return make_client(local.endpoint_url)


@pytest.fixture
def raw_client(local: LocalMTurk) -> Any:
    """No retries and no client-side validation: every answer, faults included, is seen as sent."""
    return make_client(local.endpoint_url, retries=1, validate=False)


@pytest.fixture
def clocked() -> Iterator[LocalMTurk]:
    """A local MTurk whose clock stands still at START until a test moves it."""
    with LocalMTurk(clock=START) as emulator:
        yield emulator


@pytest.fixture
def client_at(clocked: LocalMTurk) -> Any:
    return make_client(clocked.endpoint_url)
