"""``exclusions local serve`` as a subprocess: URL first, clean stop on SIGTERM, errors."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import assert_no_traceback, copy_example, exclusions
from tests.local_mturk.support import create_type, make_client

SERVE = [sys.executable, "-m", "reconciler", "local", "serve"]


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [*SERVE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    if not ready:
        process.kill()
        pytest.fail("exclusions local serve printed nothing within 30 s")
    return process, process.stdout.readline().strip()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_serve_prints_url_first_and_stops_cleanly_on_sigterm(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    state = tmp_path / "state.json"
    process, url = _start("--state", str(state), "--clock", "2026-01-05T12:00:00Z")
    processes.append(process)
    assert url.startswith("http://127.0.0.1:")
    client = make_client(url)
    created = client.create_qualification_type(Name="n", Description="d", QualificationTypeStatus="Active")
    assert created["QualificationType"]["CreationTime"].year == 2026
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert stdout == ""  # nothing after the URL
    counters_line = next(line for line in stderr.splitlines() if line.startswith("local MTurk counters: "))
    counters = json.loads(counters_line.removeprefix("local MTurk counters: "))
    assert counters["CreateQualificationType"] == {"served": 1, "throttled": 0, "failed": 0}
    assert json.loads(state.read_text())["qualification_types"][0]["name"] == "n"


def test_sigkill_loses_no_answered_write(tmp_path: Path, processes: list[subprocess.Popen[str]]) -> None:
    state = tmp_path / "state.json"
    process, url = _start("--state", str(state))
    processes.append(process)
    client = make_client(url)
    type_id = create_type(client)
    for index in range(30):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=f"A{index}X")
    process.kill()
    process.wait(10)
    restarted, url = _start("--state", str(state))
    processes.append(restarted)
    pages = make_client(url).get_paginator("list_workers_with_qualification_type")
    workers = [q for page in pages.paginate(QualificationTypeId=type_id) for q in page["Qualifications"]]
    assert len(workers) == 30


def test_seed_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("hits:\n  - hit_id: lower-case\n")
    result = subprocess.run([*SERVE, "--seed", str(seed)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f'error: {seed}:2:13: "lower-case" ')
    assert "(at hits[0].hit_id)" in result.stderr
    assert "Traceback" not in result.stderr


def test_fault_options_reach_the_emulator(processes: list[subprocess.Popen[str]]) -> None:
    process, url = _start("--fail-call", "ListHITs:1", "--latency-ms", "1", "--fault-seed", "3")
    processes.append(process)
    client = make_client(url, retries=1)
    with pytest.raises(Exception, match="ServiceFault"):
        client.list_hits()
    assert client.list_hits()["NumResults"] == 0


def test_help_explains_with_an_example() -> None:
    result = subprocess.run([*SERVE, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "Example:" in result.stdout
    assert "exclusions local serve --port" in result.stdout
    assert "--fault-seed" in result.stdout


def test_the_embedded_local_target_refuses_a_state_that_is_being_served(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    root = copy_example(tmp_path)
    state = root / ".exclusions-local" / "local" / "state.json"
    process, _ = _start("--state", str(state), "--seed", str(root / "exclusions" / "local-seed.yaml"))
    processes.append(process)
    refused = exclusions("apply", "--auto-approve", cwd=root)
    assert refused.status == 1, refused.output
    assert_no_traceback(refused)
    assert "is in use by another local MTurk (process " in refused.stderr
    assert "nothing was changed" in refused.stderr
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)
    applied = exclusions("apply", "--auto-approve", cwd=root)
    assert applied.status == 0, applied.output


def test_a_second_server_on_the_same_state_is_refused(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    state = tmp_path / "state.json"
    process, _ = _start("--state", str(state))
    processes.append(process)
    second = subprocess.run([*SERVE, "--state", str(state)], capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert second.stdout == ""
    assert f"error: {state} is in use by another local MTurk (process {process.pid})" in second.stderr
    assert "Traceback" not in second.stderr


def test_trap_options_reach_the_emulator(tmp_path: Path, processes: list[subprocess.Popen[str]]) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[lab]\naws_access_key_id = AKIDLAB\naws_secret_access_key = lab-secret\n")
    process, url = _start(
        "--credentials", str(credentials), "--empty-last-page", "--fill-requirement-defaults"
    )
    processes.append(process)
    stranger = make_client(url, retries=1)
    with pytest.raises(Exception, match="UnrecognizedClientException"):
        stranger.list_hits()
    client = make_client(url, key="AKIDLAB", secret="lab-secret", retries=1)
    type_id = create_type(client)
    first = client.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True, MaxResults=1)
    assert first["NumResults"] == 1 and "NextToken" in first
    hit = client.create_hit(
        LifetimeInSeconds=3600,
        AssignmentDurationInSeconds=600,
        Reward="0.50",
        Title="t",
        Description="d",
        Question="<ExternalQuestion/>",
        QualificationRequirements=[{"QualificationTypeId": type_id, "Comparator": "DoesNotExist"}],
    )["HIT"]
    assert hit["QualificationRequirements"][0]["ActionsGuarded"] == "Accept"


def test_a_credentials_file_without_keys_is_refused(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[lab]\naws_access_key_id = AKIDLAB\n")
    result = subprocess.run(
        [*SERVE, "--credentials", str(credentials)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "profile [lab] needs both aws_access_key_id and aws_secret_access_key" in result.stderr
    assert "Traceback" not in result.stderr
