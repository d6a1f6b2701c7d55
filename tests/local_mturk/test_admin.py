"""The /_local/ control endpoints and the counters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import admin, create_type


def test_counters_over_http_and_reset(local: LocalMTurk, client: Any) -> None:
    type_id = create_type(client)
    client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1X")
    status, counters = admin(local.endpoint_url, "GET", "/_local/counters")
    assert status == 200
    assert counters == local.counters()
    assert counters["AssociateQualificationWithWorker"] == {"served": 1, "throttled": 0, "failed": 0}
    assert admin(local.endpoint_url, "POST", "/_local/counters/reset")[0] == 200
    assert local.counters() == {}


def test_clock_get_and_set(local: LocalMTurk, client: Any) -> None:
    status, body = admin(local.endpoint_url, "POST", "/_local/clock", {"now": "2030-02-03T04:05:06Z"})
    assert status == 200
    assert body["now"].startswith("2030-02-03T04:05")
    assert abs((local.now() - datetime(2030, 2, 3, 4, 5, 6, tzinfo=UTC)).total_seconds()) < 5
    created = client.create_qualification_type(Name="n", Description="d", QualificationTypeStatus="Active")
    assert created["QualificationType"]["CreationTime"].year == 2030
    admin(local.endpoint_url, "POST", "/_local/clock", {"advance_seconds": 86400})
    assert admin(local.endpoint_url, "GET", "/_local/clock")[1]["now"].startswith("2030-02-04")
    assert admin(local.endpoint_url, "POST", "/_local/clock", {"now": "yesterday"})[0] == 400


def test_state_dump(local: LocalMTurk, client: Any) -> None:
    type_id = create_type(client)
    client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1X", IntegerValue=4)
    status, state = admin(local.endpoint_url, "GET", "/_local/state")
    assert status == 200
    [qualification_type] = state["qualification_types"]
    assert qualification_type["id"] == type_id
    assert qualification_type["holders"][0]["worker_id"] == "A1X"
    assert qualification_type["holders"][0]["value"] == 4


def test_unknown_admin_path_and_plain_get(local: LocalMTurk) -> None:
    status, body = admin(local.endpoint_url, "GET", "/_local/nothing")
    assert status == 404
    assert "GET /_local/counters" in body["endpoints"]
    assert admin(local.endpoint_url, "GET", "/_local/health") == (200, {"status": "ok"})
    assert admin(local.endpoint_url, "GET", "/")[0] == 404
