"""The MTurk platform over HTTP against the local MTurk: errors are never read as empty answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from reconciler.core.live import QualificationTypeSettings
from reconciler.emulators.mturk import LocalMTurk
from reconciler.platform.base import PlatformError, UnitGone
from reconciler.platform.mturk import MTurkPlatform, make_client
from tests.e2e import emulator


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalMTurk]:
    with emulator(tmp_path) as running:
        yield running


@pytest.fixture
def platform(server: LocalMTurk, monkeypatch: pytest.MonkeyPatch) -> MTurkPlatform:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    session = boto3.Session(aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake")
    client = make_client(
        session, endpoint_url=server.endpoint_url, region="us-east-1", max_concurrency=2, rate_limit=None
    )
    return MTurkPlatform(client, target="emu")


def test_revoking_a_worker_who_holds_nothing_is_already_done(platform: MTurkPlatform) -> None:
    created = platform.create_qualification_type(QualificationTypeSettings("T", "d", None))
    platform.grant(created.type_id, "AWORKER1", 1)
    platform.revoke(created.type_id, "AWORKER1", None)
    platform.revoke(created.type_id, "AWORKER1", None)  # a second revocation: no error
    platform.revoke(created.type_id, "ANEVERHELD1", None)
    assert platform.list_holders(created.type_id) == {}


def test_other_revocation_errors_still_fail(platform: MTurkPlatform) -> None:
    with pytest.raises(PlatformError, match=r"QualificationTypeDoesNotExist|does not exist"):
        platform.revoke("3NOSUCHTYPE0000000000000000000", "AWORKER1", None)


def test_a_failed_page_of_holders_raises_instead_of_returning_fewer(
    platform: MTurkPlatform, server: LocalMTurk
) -> None:
    created = platform.create_qualification_type(QualificationTypeSettings("T", "d", None))
    for index in range(250):
        platform.grant(created.type_id, f"AHOLDER{index:05d}", 1)
    server.add_scripted_fault(
        "ListWorkersWithQualificationType", nth=3, count=2
    )  # page 3 of 3, both attempts
    with pytest.raises(PlatformError, match="ListWorkersWithQualificationType failed"):
        platform.list_holders(created.type_id)
    assert len(platform.list_holders(created.type_id)) == 250


def test_a_disposed_hit_is_reported_as_gone(platform: MTurkPlatform, server: LocalMTurk) -> None:
    server.set_clock(datetime.now(UTC) + timedelta(days=121))
    with pytest.raises(UnitGone):
        platform.read_hit("3EXAMPLEHITTRUSTGAME0000000001")


def test_a_hit_read_gives_its_workers_and_state(platform: MTurkPlatform) -> None:
    reading = platform.read_hit("3EXAMPLEHITTRUSTGAME0000000002")
    assert reading.workers == {"AEXAMPLEWORKER0008", "AEXAMPLEWORKER0009"}
    assert reading.created.tzinfo is not None
    assert reading.pending == 0
