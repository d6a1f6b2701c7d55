"""Secrets and privacy: no credential ever leaves the process, and worker IDs stay masked in logs.

Known values are planted in AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, then every command runs,
successful and failing (connection refused, ServiceFault, throttling beyond the retries, a
validation error from the API, bad input), and stdout, stderr, plan files, capture files, the
GitHub step summary and every file left in the lab are searched for them.

Worker IDs are personal data: text output to a non-terminal (a CI log) and markdown (a
pull-request comment) never contain a whole worker ID unless --show-worker-ids asks for them.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.emulators.mturk import LocalMTurk
from reconciler.render.mask import make_masker
from tests.e2e import Lab, emulator
from tests.helpers import Run, clean_env, exclusions
from tests.reliability import record

SECRET = "PLANTEDsecret/Key+0123456789abcdefghijklmnopqrstuvw"
TOKEN = "PLANTEDsessionToken//FwoGZXIvYXdzEJr0123456789abcdefTOKEN"
# The parts a careless message could show: the whole value, or a long piece of it.
NEEDLES = [SECRET, TOKEN, SECRET[7:27], TOKEN[7:30]]

NEW_WORKERS = [f"APRIVATE{index:06d}" for index in range(30)]
EXAMPLE_WORKERS = [f"AEXAMPLEWORKER{index:04d}" for index in range(1, 11)]
EVERY_WORKER = NEW_WORKERS + EXAMPLE_WORKERS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalMTurk]:
    with emulator(tmp_path) as running:
        yield running


@pytest.fixture
def lab(tmp_path: Path, server: LocalMTurk) -> Lab:
    lab = Lab(tmp_path / "lab", server)
    lab.write_study("private-study", workers=NEW_WORKERS)
    return lab


class Runner:
    """Runs commands with the planted credentials and keeps every output for the search."""

    def __init__(self, lab: Lab, tmp_path: Path) -> None:
        self.lab = lab
        self.summary = tmp_path / "step-summary.md"
        self.runs: list[tuple[str, Run]] = []

    def __call__(self, *args: str, **env: str) -> Run:
        planted = {
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN,
            "AWS_MAX_ATTEMPTS": "2",
            "GITHUB_ACTIONS": "true",  # the job summary is written, as in CI
            "GITHUB_STEP_SUMMARY": str(self.summary),
        }
        run = exclusions(*args, cwd=self.lab.root, env=clean_env(**{**planted, **env}))
        self.runs.append((" ".join(args), run))
        return run


def leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


def files_under(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


def test_no_command_ever_shows_or_writes_the_secret_key_or_session_token(
    lab: Lab, server: LocalMTurk, tmp_path: Path
) -> None:
    run = Runner(lab, tmp_path)
    plan_file = tmp_path / "emu.plan.json"
    statuses: dict[str, int] = {}

    def step(name: str, *args: str, **env: str) -> None:
        statuses[name] = run(*args, **env).status

    step("validate", "validate")
    step("plan", "plan")
    step("plan json", "plan", "--format", "json")
    step("plan markdown", "plan", "--format", "markdown")
    step("plan --out", "plan", "--out", str(plan_file))
    step("apply saved plan", "apply", str(plan_file))
    step("lock", "lock")
    step("import", "import", "deception", "--study", "imported-holders")
    step("requirement", "requirement", "deception")
    step("audit", "audit")
    step("help", "apply", "--help")
    # Failing runs: the API fails beyond the retries, throttles, refuses a request.
    # The pools' types are recorded by now (locks/<target>/pools.yaml): they are read by ID.
    server.add_scripted_fault("GetQualificationType", nth=1, count=10)
    step("plan, ServiceFault", "plan")
    server.clear_scripted_faults()
    server.add_scripted_fault("GetQualificationType", nth=1, count=10, error="ThrottlingException")
    step("plan, throttled", "plan")
    server.clear_scripted_faults()
    lab.write_study("private-study-2", workers=["APRIVATEEXTRA01"])
    server.add_scripted_fault(
        "AssociateQualificationWithWorker",
        nth=1,
        count=10,
        error="RequestError",
        message="You are not allowed to do that",
        turk_error_code="AWS.MechanicalTurk.PermissionDenied",
    )
    step("apply, RequestError", "apply", "--auto-approve")
    server.clear_scripted_faults()
    step("plan, debug", "plan", EXCLUSIONS_DEBUG="1")
    # Bad input, and a target nobody answers.
    (lab.studies / "broken.yaml").write_text("study: broken\ntitle: [unclosed\n")
    step("plan, bad input", "plan", EXCLUSIONS_DEBUG="1")
    step("apply, bad input", "apply", "--auto-approve")
    (lab.studies / "broken.yaml").unlink()
    config = lab.config()
    config["targets"]["emu"]["endpoint_url"] = f"http://127.0.0.1:{free_port()}"
    lab.write_config(config)
    step("plan, connection refused", "plan", AWS_MAX_ATTEMPTS="1")
    step("apply, connection refused", "apply", "--auto-approve", AWS_MAX_ATTEMPTS="1", EXCLUSIONS_DEBUG="1")
    step("lock, connection refused", "lock", AWS_MAX_ATTEMPTS="1")

    found: dict[str, list[str]] = {}
    for name, result in run.runs:
        for needle in leaks(result.output):
            found.setdefault(f"output of `{name}`", []).append(needle)
    for path in [*files_under(lab.root), plan_file, run.summary]:
        if path.exists():
            for needle in leaks(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(str(path.relative_to(tmp_path)), []).append(needle)
    record(
        "secret_check",
        test="secrets",
        commands=len(run.runs),
        failing_commands=sum(status != 0 for status in statuses.values()),
        files_searched=sum(1 for _ in files_under(lab.root)) + 2,
        leaks=sum(len(needles) for needles in found.values()),
    )
    assert found == {}
    # The failing runs did fail, and cleanly: the search covered real error paths.
    for name in ("plan, ServiceFault", "plan, throttled", "apply, RequestError", "plan, bad input"):
        assert statuses[name] == 1, name
    assert statuses["plan, connection refused"] == 1 and statuses["apply saved plan"] == 0
    assert all("Traceback" not in result.output for _, result in run.runs)


# --- worker IDs ------------------------------------------------------------------------------


def whole_ids(text: str, workers: list[str] = EVERY_WORKER) -> list[str]:
    return [worker for worker in workers if worker in text]


def test_logs_and_markdown_never_show_a_whole_worker_id_unless_asked(lab: Lab, tmp_path: Path) -> None:
    run = Runner(lab, tmp_path)
    masked: dict[str, Run] = {
        "plan": run("plan"),
        "plan --verbose": run("plan", "--verbose"),
        "plan markdown": run("plan", "--format", "markdown"),
        "plan markdown --verbose": run("plan", "--format", "markdown", "--verbose"),
    }
    summary = run.summary.read_text()
    shown = run("plan", "--format", "markdown", "--show-worker-ids")
    masked["apply"] = run("apply", "--auto-approve")
    found = {name: whole_ids(result.output) for name, result in masked.items() if whole_ids(result.output)}
    if whole_ids(summary):
        found["GitHub step summary"] = whole_ids(summary)
    record(
        "privacy_check",
        test="secrets",
        outputs=len(masked) + 1,
        whole_worker_ids=sum(len(ids) for ids in found.values()),
    )
    assert all(result.status == 0 for result in masked.values()), masked
    assert found == {}
    assert "APRIVATE000000" in shown.stdout  # asked for: shown whole
    assert re.search(r"AP…\d{3}", masked["plan --verbose"].stdout), masked["plan --verbose"].stdout


def test_a_failed_change_in_a_log_does_not_show_the_worker_id(
    lab: Lab, server: LocalMTurk, tmp_path: Path
) -> None:
    """MTurk's error messages may name the worker; apply's report in a log must not, even so."""
    config = lab.config()
    config["targets"]["emu"]["max_concurrency"] = 1  # grants in plan order: the 2nd is ...0002's
    lab.write_config(config)
    server.add_scripted_fault(
        "AssociateQualificationWithWorker",
        nth=2,
        error="RequestError",
        message="Worker AEXAMPLEWORKER0002 cannot be granted this Qualification.",
        turk_error_code="AWS.MechanicalTurk.InvalidParameterValue",
    )
    result = Runner(lab, tmp_path)("apply", "--auto-approve")
    found = whole_ids(result.output)
    record("privacy_check", test="secrets", outputs=1, whole_worker_ids=len(found))
    assert result.status == 1, result.output
    assert "failed: grant A" in result.stderr, result.stderr
    assert found == [], result.stderr


# What the schema accepts: ^A[A-Z0-9]+$ with 8 to 64 characters.
VALID_WORKER = st.from_regex(r"A[A-Z0-9]{7,30}", fullmatch=True)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(workers=st.lists(VALID_WORKER, min_size=1, max_size=30, unique=True))
def test_a_masked_worker_id_never_shows_a_whole_worker_id(workers: list[str]) -> None:
    """For every ID the schema accepts (^A[A-Z0-9]+$, 8 to 64 characters), the masked form hides part of it."""
    mask = make_masker(workers)
    shown = " ".join(mask(worker) for worker in workers)
    revealed = [worker for worker in workers if worker in shown]
    record("privacy_check", test="secrets", outputs=1, whole_worker_ids=len(revealed), source="hypothesis")
    assert revealed == []
    assert len({mask(worker) for worker in workers}) == len(workers)  # still told apart


def test_validate_masks_worker_ids_in_its_messages_and_annotations(tmp_path: Path) -> None:
    """Annotations appear on pull requests: a duplicate or malformed worker ID is shown masked,
    telling the two apart, unless --show-worker-ids asks for them whole."""
    duplicated, lower_case, other = "APRIVATEDUP0001", "aprivatelower0001", "APRIVATEDUP0002"
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("private", workers=[duplicated, duplicated, lower_case, other, other])
        env = clean_env(GITHUB_ACTIONS="true")
        masked = exclusions("validate", cwd=lab.root, env=env)
        shown = exclusions("validate", "--show-worker-ids", cwd=lab.root, env=env)
        whole = [worker for worker in (duplicated, lower_case, other) if worker in masked.output]
        record("privacy_check", test="secrets", outputs=1, whole_worker_ids=len(whole), source="validate")
        assert masked.status == shown.status == 1
        assert whole == [], masked.output
        annotations = [line for line in masked.stdout.splitlines() if line.startswith("::error")]
        assert len(annotations) == 3, masked.stdout  # two duplicates and one malformed ID
        listed_twice = [line for line in annotations if "is listed twice" in line]
        assert len({line.split("worker ")[1].split(" ")[0] for line in listed_twice}) == 2  # told apart
        assert all(worker in shown.output for worker in (duplicated, lower_case, other)), shown.output
