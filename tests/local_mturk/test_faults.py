"""Injected faults: latency, throttling, random ServiceFaults (reproducible) and scripted ones."""

from __future__ import annotations

import time
from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import admin, code, create_type, error_of, make_client


def _outcomes(client: Any, calls: int) -> list[str]:
    outcomes = []
    for _ in range(calls):
        try:
            client.list_hits()
            outcomes.append("ok")
        except Exception as exc:  # ClientError
            outcomes.append(code(exc))  # type: ignore[arg-type]
    return outcomes


def test_added_latency_slows_every_request() -> None:
    with LocalMTurk(latency_ms=150) as emulator:
        client = make_client(emulator.endpoint_url)
        client.list_hits()  # warm up the connection
        started = time.perf_counter()
        client.list_hits()
        assert time.perf_counter() - started >= 0.15


def test_rate_limit_throttles_with_aws_throttling_exception() -> None:
    # 0.2 requests/s: the bucket holds one token and refills only after 5 s.
    with LocalMTurk(rate_limit=0.2) as emulator:
        client = make_client(emulator.endpoint_url, retries=1)
        outcomes = _outcomes(client, 4)
        assert outcomes == ["ok", "ThrottlingException", "ThrottlingException", "ThrottlingException"]
        error = error_of(lambda: client.list_hits())
        assert error.response["Error"]["Message"] == "Rate exceeded"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert emulator.counters()["ListHITs"] == {"served": 1, "throttled": 4, "failed": 0}


def test_throttled_calls_succeed_after_boto3_retries() -> None:
    with LocalMTurk(rate_limit=10) as emulator:
        client = make_client(emulator.endpoint_url, retries=10)
        for _ in range(20):
            client.list_hits()
        counts = emulator.counters()["ListHITs"]
        assert counts["served"] == 20
        assert counts["throttled"] > 0


def test_fail_rate_gives_reproducible_service_faults() -> None:
    runs = []
    for _ in range(2):
        with LocalMTurk(fail_rate=0.3, fault_seed=7) as emulator:
            runs.append(_outcomes(make_client(emulator.endpoint_url, retries=1), 30))
            assert emulator.counters()["ListHITs"]["failed"] == runs[-1].count("ServiceFault")
    assert runs[0] == runs[1]
    assert 0 < runs[0].count("ServiceFault") < 30
    assert set(runs[0]) == {"ok", "ServiceFault"}


def test_service_fault_is_a_500_that_boto3_retries(local: LocalMTurk) -> None:
    local.add_scripted_fault("ListHITs", nth=1)
    raw = make_client(local.endpoint_url, retries=1)
    error = error_of(lambda: raw.list_hits())
    assert code(error) == "ServiceFault"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    local.add_scripted_fault("ListHITs", nth=1)
    retrying = make_client(local.endpoint_url, retries=3)
    assert retrying.list_hits()["NumResults"] == 0  # the retry succeeds


def test_scripted_fault_fails_the_kth_call_and_the_next_n(local: LocalMTurk, raw_client: Any) -> None:
    local.add_scripted_fault("ListHITs", nth=2, count=2)
    assert _outcomes(raw_client, 5) == ["ok", "ServiceFault", "ServiceFault", "ok", "ok"]


def test_scripted_fault_with_a_given_error(local: LocalMTurk, raw_client: Any) -> None:
    type_id = create_type(raw_client)
    local.add_scripted_fault(
        "AssociateQualificationWithWorker",
        error="RequestError",
        message="Worker is blocked",
        turk_error_code="AWS.MechanicalTurk.WorkerBlocked",
    )
    error = error_of(
        lambda: raw_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1X")
    )
    assert code(error) == "RequestError"
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.WorkerBlocked"
    raw_client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1X")


def test_faults_are_settable_at_runtime_over_http(local: LocalMTurk, raw_client: Any) -> None:
    status, settings = admin(
        local.endpoint_url,
        "POST",
        "/_local/faults",
        {"scripted": [{"operation": "ListHITs", "nth": 1, "error": "ThrottlingException"}]},
    )
    assert status == 200
    assert settings["scripted"][0]["operation"] == "ListHITs"
    assert _outcomes(raw_client, 2) == ["ThrottlingException", "ok"]
    admin(local.endpoint_url, "POST", "/_local/faults", {"fail_rate": 1.0})
    assert _outcomes(raw_client, 2) == ["ServiceFault", "ServiceFault"]
    admin(local.endpoint_url, "POST", "/_local/faults", {"fail_rate": 0, "rate_limit": 0.2})
    assert _outcomes(raw_client, 3) == ["ok", "ThrottlingException", "ThrottlingException"]
    admin(local.endpoint_url, "POST", "/_local/faults", {"rate_limit": None})
    assert _outcomes(raw_client, 3) == ["ok", "ok", "ok"]
    status, body = admin(local.endpoint_url, "POST", "/_local/faults", {"fail_rate": 3})
    assert status == 400
    assert "fail_rate" in body["error"]
