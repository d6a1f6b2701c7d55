"""A misbehaving platform: token cycles, runaway pages, malformed and contradictory answers,
stalls past the run's deadline, error messages that echo credentials, a cleartext endpoint.

The command line runs as a separate process against ``tests/hostile_mturk.py``, a proxy in front
of the local MTurk that spoils chosen answers deterministically. Correct means: the run ends
(no hang), with exit status 1 and a message naming the operation, no traceback, no change made
from a spoiled reading; a fault the retries absorb changes nothing in the outcome.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import Lab, emulator, load_yaml
from tests.helpers import EXAMPLE, Run, clean_env, exclusions
from tests.hostile_mturk import CUT, Exchange, Rule, for_calls, hostile_mturk
from tests.reliability import MUTATING, assert_clean_failure, record

DECEPTION = load_yaml(EXAMPLE / "config.yaml")["pools"]["deception"]
HOLDERS = [f"AHELD{index:07d}" for index in range(150)]  # two pages of holders
RELEASED = [f"ARELEASED{index:05d}" for index in range(3)]  # held, due to be revoked
TOKEN = "PLANTEDsessionToken//FwoGZXIvYXdzEJr0123456789abcdefTOKEN"
HANG_TIMEOUT = 60  # seconds: a run that takes longer hangs (today's main loops forever)


def seed() -> dict[str, Any]:
    holders = [{"worker_id": w, "value": 1} for w in sorted(HOLDERS + RELEASED)]
    return {
        "qualification_types": [
            {
                "name": DECEPTION["name"],
                "description": DECEPTION["description"],
                "keywords": DECEPTION["keywords"],
                "holders": holders,
            }
        ]
    }


def cycle(exchange: Exchange) -> Any:
    """Pages that come back round: A, B, A, B, ... (botocore only notices A, A)."""
    token = exchange.request.get("NextToken")
    if token is None:
        return {**exchange.body, "NextToken": "CYCLE-A"}
    return {"Qualifications": [], "NextToken": "CYCLE-B" if token == "CYCLE-A" else "CYCLE-A"}


def runaway(exchange: Exchange) -> Any:
    """Endless empty pages, each with a fresh token."""
    return {"Qualifications": [], "NextToken": f"RUNAWAY-{exchange.nth}"}


def without(key: str, list_key: str) -> Rule:
    def spoil(exchange: Exchange) -> Any:
        entries = [{k: v for k, v in entry.items() if k != key} for entry in exchange.body[list_key]]
        return {**exchange.body, list_key: entries}

    return spoil


def revoked_in_granted(exchange: Exchange) -> Any:
    entries = list(exchange.body["Qualifications"])
    entries[0] = {**entries[0], "Status": "Revoked"}
    return {**exchange.body, "Qualifications": entries}


def truncated(exchange: Exchange) -> bytes:
    """An HTTP 200 whose body stops half-way (botocore reads it as an answer without fields)."""
    return b'{"NextToken": null, "Qualifications": [{"WorkerId": "AHELD0'


def no_list(exchange: Exchange) -> Any:
    return {"NumResults": 0}


def echo_headers(exchange: Exchange) -> Any:
    """An error answer quoting the request's headers, as a broken gateway might."""
    quoted = ", ".join(f"{name}: {value}" for name, value in exchange.headers.items())
    return (400, {"__type": "RequestError", "Message": f"Bad request; headers were {quoted}"})


def cut(exchange: Exchange) -> Any:
    return CUT


HOLDERS_OP = "ListWorkersWithQualificationType"
ASSIGNMENTS_OP = "ListAssignmentsForHIT"

# (name, operation, rule, what the failure says); every one of these must fail closed.
FAILING: list[tuple[str, str, Rule, str]] = [
    ("token cycle A-B-A", HOLDERS_OP, cycle, "already used in this listing"),
    ("runaway empty pages", HOLDERS_OP, runaway, "empty pages in a row"),
    ("missing WorkerId", ASSIGNMENTS_OP, without("WorkerId", "Assignments"), "malformed answer"),
    ("missing IntegerValue", HOLDERS_OP, without("IntegerValue", "Qualifications"), "malformed answer"),
    ("Revoked in a Granted listing", HOLDERS_OP, revoked_in_granted, "status 'Revoked'"),
    ("truncated 200 answer", HOLDERS_OP, truncated, "malformed answer"),
    ("valid JSON without the list", HOLDERS_OP, no_list, "no 'Qualifications' list"),
]


def lab_behind(tmp_path: Path, server: Any, endpoint: str) -> Lab:
    lab = Lab(tmp_path / "lab", server, max_concurrency=1)
    config = lab.config()
    config["targets"]["emu"]["endpoint_url"] = endpoint
    lab.write_config(config)
    lab.write_study("kept", workers=HOLDERS)
    lab.write_study("released", status="released", workers=RELEASED)
    return lab


def run(lab: Lab, *args: str, **env: str) -> Run:
    return exclusions(
        *args, cwd=lab.root, env=clean_env(**{"AWS_MAX_ATTEMPTS": "3", **env}), timeout=HANG_TIMEOUT
    )


def changes_made(server: Any) -> dict[str, int]:
    return {
        op: sum(counts.values())
        for op, counts in server.counters().items()
        if op in (*MUTATING, "DisassociateQualificationFromWorker")
    }


@pytest.mark.parametrize(("name", "operation", "rule", "said"), FAILING, ids=[f[0] for f in FAILING])
def test_a_misbehaving_listing_fails_closed_and_changes_nothing(
    tmp_path: Path, name: str, operation: str, rule: Rule, said: str
) -> None:
    with (
        emulator(tmp_path, seed()) as server,
        hostile_mturk(server.endpoint_url, {operation: rule}) as (
            endpoint,
            proxy,
        ),
    ):
        lab = lab_behind(tmp_path, server, endpoint)
        plan = run(lab, "plan")
        apply = run(lab, "apply", "--auto-approve", "--allow-revoke", "3")
        made = changes_made(server)
        record(
            "hostile_platform",
            test="platform",
            scenario=name,
            spoiled=proxy.spoiled[operation],
            outcome="refused, nothing changed" if plan.status == apply.status == 1 and not made else "failed",
            lost_exclusions=0 if not made.get("DisassociateQualificationFromWorker") else 1,
        )
        for outcome in (plan, apply):
            assert_clean_failure(outcome)
            assert f"{operation} failed" in outcome.stderr, outcome.stderr
            assert said in outcome.stderr, outcome.stderr
        assert "nothing was changed" in apply.stderr, apply.stderr
        assert made == {}
        assert proxy.spoiled[operation] >= 1


# Faults the retries absorb: a truncated answer and a connection cut, twice each, then real
# answers. With 3 attempts the run completes exactly as without them.
ABSORBED: list[tuple[str, str, Callable[[Exchange], Any]]] = [
    ("truncated answer, twice", HOLDERS_OP, truncated),
    ("connection cut mid-answer, twice", ASSIGNMENTS_OP, cut),
    ("missing WorkerId, twice", ASSIGNMENTS_OP, without("WorkerId", "Assignments")),
]


@pytest.mark.parametrize(("name", "operation", "spoil"), ABSORBED, ids=[a[0] for a in ABSORBED])
def test_a_malformed_answer_is_retried_like_a_5xx(
    tmp_path: Path, name: str, operation: str, spoil: Callable[[Exchange], Any]
) -> None:
    rules = {operation: for_calls(1, 2, spoil)}
    with emulator(tmp_path, seed()) as server, hostile_mturk(server.endpoint_url, rules) as (endpoint, proxy):
        lab = lab_behind(tmp_path, server, endpoint)
        applied = run(lab, "apply", "--auto-approve", "--allow-revoke", "3")
        after = run(lab, "plan", "--detailed-exitcode")
        record(
            "hostile_platform",
            test="platform",
            scenario=f"{name}, retried",
            spoiled=proxy.spoiled[operation],
            outcome="converged" if applied.status == after.status == 0 else "failed",
            lost_exclusions=0,
        )
        assert applied.status == 0, applied.output
        assert after.status == 0, after.output
        assert proxy.spoiled[operation] == 2
        assert set(HOLDERS) <= lab.holders("deception").keys()
        assert not set(RELEASED) & lab.holders("deception").keys()


def test_an_error_echoing_the_request_headers_prints_no_credential(tmp_path: Path) -> None:
    with (
        emulator(tmp_path, seed()) as server,
        hostile_mturk(server.endpoint_url, {HOLDERS_OP: echo_headers}) as (endpoint, proxy),
    ):
        lab = lab_behind(tmp_path, server, endpoint)
        outcomes = [run(lab, *args, AWS_SESSION_TOKEN=TOKEN) for args in (["plan"], ["plan", "--verbose"])]
        leaks = [o for o in outcomes if TOKEN[8:30] in o.output or "fake/secret" in o.output]
        record("secret_check", test="platform", commands=len(outcomes), leaks=len(leaks))
        for outcome in outcomes:
            assert_clean_failure(outcome)
            assert f"{HOLDERS_OP} failed" in outcome.stderr and "headers were" in outcome.stderr
            assert TOKEN[8:30] not in outcome.output
            assert "AKIAFAKEFAKEFAKEFAKE" not in outcome.output
            assert "Signature=" not in outcome.output or "Signature=[redacted]" in outcome.output
        assert proxy.spoiled[HOLDERS_OP] >= 1


def test_a_stalled_answer_ends_the_run_at_its_deadline_and_a_rerun_converges(tmp_path: Path) -> None:
    released = threading.Event()

    def stall(exchange: Exchange) -> Any:
        released.wait(HANG_TIMEOUT)  # never answers while the run is on
        return None

    with (
        emulator(tmp_path, seed()) as server,
        hostile_mturk(server.endpoint_url, {"AssociateQualificationWithWorker": for_calls(5, 1, stall)}) as (
            endpoint,
            _,
        ),
    ):
        lab = lab_behind(tmp_path, server, endpoint)
        new = [f"ANEWWORKER{index:05d}" for index in range(20)]
        lab.write_study("new", workers=new)
        stopped = run(lab, "apply", "--auto-approve", "--allow-revoke", "3", EXCLUSIONS_DEADLINE_SECONDS="10")
        released.set()
        granted = {w for w in new if w in lab.holders("deception")}
        rerun = run(lab, "apply", "--auto-approve", "--allow-revoke", "3")
        after = run(lab, "plan", "--detailed-exitcode")
        record(
            "hostile_platform",
            test="platform",
            scenario="a grant stalled past a 10 s deadline",
            spoiled=1,
            outcome="stopped at the deadline, re-run converged"
            if stopped.status == 1 and after.status == 0
            else "failed",
            lost_exclusions=len(set(new) - lab.holders("deception").keys()),
        )
        assert_clean_failure(stopped)
        assert "deadline of 10 s (EXCLUSIONS_DEADLINE_SECONDS)" in stopped.stderr, stopped.stderr
        assert len(granted) < len(new)
        assert re.search(r"; \d+ failed, \d+ not attempted\.", stopped.stderr), stopped.stderr
        assert rerun.status == 0, rerun.output
        assert after.status == 0, after.output
        assert set(new) <= lab.holders("deception").keys()


@pytest.mark.parametrize(
    ("endpoint", "refused"),
    [
        ("http://mturk.example.org", True),
        ("http://10.0.0.7:8080", True),
        ("http://localhost:{port}", False),
        ("http://127.0.0.1:{port}", False),
    ],
)
def test_an_mturk_target_refuses_a_cleartext_endpoint_off_loopback(
    tmp_path: Path, endpoint: str, refused: bool
) -> None:
    with emulator(tmp_path) as server:
        port = server.endpoint_url.rsplit(":", 1)[-1].strip("/")
        lab = lab_behind(tmp_path, server, endpoint.format(port=port))
        outcome = run(lab, "plan")
        record(
            "hostile_platform",
            test="platform",
            scenario=f"endpoint {endpoint}",
            spoiled=0,
            outcome="refused" if outcome.status == 1 else "accepted",
            lost_exclusions=0,
        )
        if refused:
            assert_clean_failure(outcome)
            assert "is not HTTPS" in outcome.stderr, outcome.stderr
        else:
            assert outcome.status == 0, outcome.output
