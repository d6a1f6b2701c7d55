"""Hostile input: broken, malicious or absurd study files never reach MTurk.

Every file of tests/corpus/studies/ (with the line and message tests/corpus/expectations.yaml
gives for it) and a few files that cannot live in git (100 MB, a link out of the repository, ...)
are put in a lab whose target is a local MTurk; `plan` and `apply --auto-approve` must both end
with exit status 1, a message naming the file (and the line, where there is one), no traceback,
and not a single call to MTurk. Property tests (hypothesis) then throw generated text, bytes,
structures and mutations of a valid file at the loader, and a few of them at the command line.

tests/test_validate.py checks the same corpus through `exclusions validate`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.core.problems import InvalidInput, errors_only
from reconciler.lab.loading import load_repository
from reconciler.ops.local_seed import local_seed_problems
from tests.e2e import Lab, emulator
from tests.helpers import PROJECT, Run, clean_env, copy_example, exclusions
from tests.reliability import assert_clean_failure, counters_all_zero, record

CORPUS = PROJECT / "tests" / "corpus" / "studies"
EXPECTATIONS: dict[str, list[list[Any]]] = YAML(typ="safe").load(CORPUS.parent / "expectations.yaml")
MODELINE = "# yaml-language-server: $schema=../../schemas/study.schema.json\n"
HUGE = 100 * 1024 * 1024


def run_cli(lab: Lab, *args: str, timeout: float = 60) -> Run:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", *args],
            cwd=lab.root,
            env=clean_env(AWS_MAX_ATTEMPTS="3"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run(-1, "", f"timed out after {timeout} s")
    return Run(done.returncode, done.stdout, done.stderr)


def plan_and_apply(lab: Lab, timeout: float = 60) -> dict[str, Run]:
    """`plan` and `apply --auto-approve`, side by side (each is refused before any call)."""
    commands = {"plan": ("plan",), "apply": ("apply", "--auto-approve")}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_cli, lab, *args, timeout=timeout) for name, args in commands.items()}
    return {name: future.result() for name, future in futures.items()}


def masked_form(fragment: str) -> re.Pattern[str]:
    """The fragment as it reads with worker IDs masked (plan and apply mask them in problems):
    any ID-shaped word or quoted value may stand masked in its place."""
    pattern = re.escape(fragment)
    pattern = re.sub(r"A[A-Z0-9]{7,}", lambda _: r"\S+", pattern)
    pattern = re.sub(r'"[^"]*"', lambda _: '"[^"]*"', pattern)
    return re.compile(pattern)


def check_refused(runs: dict[str, Run], relative: str, problems: list[list[Any]]) -> None:
    for name, run in runs.items():
        assert_clean_failure(run)
        for line, fragment in problems:
            location = f"{relative}:{line}:" if line else f"{relative}:"
            matching = [text for text in run.stderr.splitlines() if text.startswith(location)]
            wanted = masked_form(str(fragment))
            assert any(wanted.search(text) for text in matching), (name, location, fragment, run.stderr)


# --- the corpus ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_each_corpus_file_stops_plan_and_apply_before_any_call_to_mturk(tmp_path: Path, name: str) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        shutil.copy(CORPUS / name, lab.studies / name)
        runs = plan_and_apply(lab)
        calls = counters_all_zero(server)
        record(
            "hostile_input",
            test="hostile",
            source="corpus",
            name=name,
            exits={command: run.status for command, run in runs.items()},
            mturk_calls=sum(calls.values()),
            clean="Traceback" not in str(runs) and "internal error" not in str(runs),
        )
        check_refused(runs, f"exclusions/studies/{name}", EXPECTATIONS[name])
        assert calls == {}, calls


# --- files that cannot be kept in git --------------------------------------------------------


def _huge(lab: Lab, tmp: Path) -> Path:
    path = lab.studies / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(HUGE)  # sparse: 100 MB on paper, nothing on disk
    return path


def _outside_link(lab: Lab, tmp: Path) -> Path:
    outside = tmp / "outside.yaml"
    outside.write_text(MODELINE + "study: outside\ntitle: Outside\npools: [deception]\nstatus: active\n")
    path = lab.studies / "outside.yaml"
    path.symlink_to(outside)
    return path


def _linked_studies_folder(lab: Lab, tmp: Path) -> Path:
    """The whole studies/ folder a link to somewhere else: every study in it is outside."""
    elsewhere = tmp / "elsewhere"
    shutil.move(lab.studies, elsewhere)
    lab.studies.symlink_to(elsewhere, target_is_directory=True)
    return lab.studies / "false-feedback-2025.yaml"


def _many_bad_ids(lab: Lab, tmp: Path) -> Path:
    """1,000 worker IDs pasted in lower case: one problem each, all reported, quickly."""
    path = lab.studies / "many-bad-ids.yaml"
    workers = "".join(f"  - afakeworker{index:06d}\n" for index in range(1000))
    path.write_text(
        MODELINE + "study: many-bad-ids\ntitle: Lower-case IDs\npools: [deception]\n"
        "status: active\nworkers:\n" + workers
    )
    return path


def _broken_capture(lab: Lab, tmp: Path) -> Path:
    lab.locks.mkdir(parents=True, exist_ok=True)
    path = lab.locks / "3EXAMPLEHITTRUSTGAME0000000001.yaml"
    path.write_text(
        "# yaml-language-server: $schema=../../../schemas/capture.schema.json\nformat_version: 1\n"
        "target: emu\nhit_id: 3EXAMPLEHITTRUSTGAME0000000001\nread_at: 2026-01-01T00:00:00Z\n"
        "complete: true\nworkers: AEXAMPLEWORKER0001\n"
    )
    return path


def _capture_bomb(lab: Lab, tmp: Path) -> Path:
    lab.locks.mkdir(parents=True, exist_ok=True)
    path = lab.locks / "3EXAMPLEHITTRUSTGAME0000000002.yaml"
    shutil.copy(CORPUS / "alias-bomb.yaml", path)
    return path


def _deep_flow(lab: Lab, tmp: Path) -> Path:
    """100,000 nested ``[`` in 200 KB: the C parser would recurse once per level and crash."""
    path = lab.studies / "deep-flow.yaml"
    path.write_text(MODELINE + "study: deep-flow\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return path


def _deep_block(lab: Lab, tmp: Path) -> Path:
    """60,000 block sequences nested on one line (``- - - …``)."""
    path = lab.studies / "deep-block.yaml"
    path.write_text(MODELINE + "study: deep-block\nworkers:\n  " + "- " * 60_000 + "AEXAMPLEWORKER0001\n")
    return path


def _deep_capture(lab: Lab, tmp: Path) -> Path:
    lab.locks.mkdir(parents=True, exist_ok=True)
    path = lab.locks / "3EXAMPLEHITTRUSTGAME0000000002.yaml"
    path.write_text("workers: " + "{a: " * 100_000 + "\n")
    return path


GENERATED: dict[str, tuple[Callable[[Lab, Path], Path], int, str, float]] = {
    # name: (writer, line, fragment, seconds allowed)
    "100 MB study file": (_huge, 0, "over the limit of 16 MiB", 60),
    "link out of the repository": (_outside_link, 0, "link to a place outside the repository", 60),
    "studies folder linked elsewhere": (_linked_studies_folder, 0, "outside the repository", 60),
    "1,000 bad worker IDs": (_many_bad_ids, 7, "not a valid MTurk worker ID", 60),
    "capture of the wrong form": (_broken_capture, 7, "expected a list", 60),
    "capture that is an alias bomb": (_capture_bomb, 0, "alias bomb", 60),
    "100,000 nested [ in a study": (_deep_flow, 3, "nested too deeply", 60),
    "60,000 nested block sequences": (_deep_block, 4, "nested too deeply", 60),
    "100,000 nested { in a capture": (_deep_capture, 1, "nested too deeply", 60),
}


def test_deep_nesting_is_refused_by_every_command_that_reads_the_lab(tmp_path: Path) -> None:
    """validate, plan, apply and lock all end with the file's line, never a crash (SIGSEGV)."""
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        path = _deep_flow(lab, tmp_path)
        relative = str(path.relative_to(lab.root))
        runs = {
            name: run_cli(lab, *args)
            for name, args in {
                "validate": ("validate",),
                "plan": ("plan",),
                "apply": ("apply", "--auto-approve"),
                "lock": ("lock",),
            }.items()
        }
        calls = counters_all_zero(server)
        record(
            "hostile_input",
            test="hostile",
            source="generated",
            name="100,000 nested [ through validate, plan, apply and lock",
            exits={command: run.status for command, run in runs.items()},
            mturk_calls=sum(calls.values()),
        )
        for name, run in runs.items():
            assert run.status == 1, (name, run.status, run.output)  # -11 is the crash
            assert_clean_failure(run)
            assert f"{relative}:3:" in run.output and "nested too deeply" in run.output, (name, run.output)
        assert calls == {}, calls


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_generated_hostile_files_stop_plan_and_apply_before_any_call(tmp_path: Path, case: str) -> None:
    write, line, fragment, seconds = GENERATED[case]
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        path = write(lab, tmp_path)
        runs = plan_and_apply(lab, timeout=seconds)
        calls = counters_all_zero(server)
        record(
            "hostile_input",
            test="hostile",
            source="generated",
            name=case,
            exits={command: run.status for command, run in runs.items()},
            mturk_calls=sum(calls.values()),
        )
        relative = str(path.relative_to(lab.root))
        for run in runs.values():
            assert "timed out" not in run.stderr, f"{case}: still running after {seconds} s"
        check_refused(runs, relative, [[line, fragment]])
        assert calls == {}, calls


# --- generated with hypothesis, against the loader -------------------------------------------

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: the campaign's figures repeat
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("hostile-lab"))


def hostile_path(root: Path) -> Path:
    return root / "exclusions" / "studies" / "hostile.yaml"


def load_hostile(root: Path, content: bytes, strategy: str) -> list[Any]:
    """Load the lab with ``content`` as a study file; the loader must never raise, and every
    problem must be about that file. Returns the errors (empty when the file is valid)."""
    path = hostile_path(root)
    path.write_bytes(content)
    try:
        result = load_repository(root, check_seed=local_seed_problems)
    finally:
        path.unlink()
    errors = errors_only(result.problems)
    record("hostile_input", test="hostile", source=f"hypothesis: {strategy}", refused=bool(errors))
    for problem in result.problems:
        assert problem.path == path, problem.format()
        assert problem.format().startswith(str(path))
        assert problem.message
    if errors:
        assert result.repository is None
        with pytest.raises(InvalidInput):
            result.require()  # what plan and apply call first: nothing reaches the platform
    return errors


@PROPERTY
@given(text=st.text(max_size=600))
def test_any_text_as_a_study_file_is_loaded_or_refused_cleanly(lab_root: Path, text: str) -> None:
    load_hostile(lab_root, (MODELINE + text).encode("utf-8", "surrogatepass"), "text")


@PROPERTY
@given(data=st.binary(max_size=600))
def test_any_bytes_as_a_study_file_are_loaded_or_refused_cleanly(lab_root: Path, data: bytes) -> None:
    load_hostile(lab_root, data, "bytes")


HOSTILE_CHARS = st.sampled_from(list("\x00\x07\x1b\t\r\n\u0085\u2028\u202e\ufeff\ufffe:-[]{}&*!|>'\"%@`#, ?"))
WORKER_LIKE = st.one_of(
    st.from_regex(r"A[A-Z0-9]{1,20}", fullmatch=True),  # valid
    st.from_regex(r"[a-zA-Z0-9 ._-]{0,30}", fullmatch=True),  # often invalid
    st.builds(lambda a, b: a + b, st.from_regex(r"A[A-Z0-9]{3,12}", fullmatch=True), HOSTILE_CHARS),
    st.text(min_size=60, max_size=200).map(lambda tail: "A" + tail),  # too long or wrong characters
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
)
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), WORKER_LIKE),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
STUDY_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "study": st.one_of(st.just("hostile"), st.text(max_size=30), JSONISH),
        "title": st.one_of(st.text(min_size=1, max_size=40), st.text(min_size=301, max_size=400), JSONISH),
        "pools": st.one_of(st.just(["deception"]), st.lists(st.text(max_size=12), max_size=3), JSONISH),
        "status": st.one_of(st.sampled_from(["active", "released"]), JSONISH),
        "exclude_until": st.one_of(st.dates().map(str), st.text(max_size=12), JSONISH),
        "hits": st.one_of(st.lists(st.from_regex(r"3[A-Z0-9]{5,30}", fullmatch=True), max_size=3), JSONISH),
        "workers": st.one_of(st.lists(WORKER_LIKE, max_size=8), JSONISH),
        "notes": st.text(max_size=100),
        "wrokers": st.lists(WORKER_LIKE, max_size=2),
    },
)


def dump(data: dict[str, Any]) -> bytes:
    yaml = YAML()
    yaml.default_flow_style = False
    from io import StringIO

    buffer = StringIO()
    yaml.dump(data, buffer)
    return (MODELINE + buffer.getvalue()).encode("utf-8", "surrogatepass")


@PROPERTY
@given(data=STUDY_VALUES)
def test_any_structure_is_loaded_exactly_or_refused_at_its_line(lab_root: Path, data: dict[str, Any]) -> None:
    content = dump(data)
    errors = load_hostile(lab_root, content, "structures")
    if errors:
        # The file is well-formed YAML: every problem can point at a line of it.
        assert all(problem.line >= 1 for problem in errors), [p.format() for p in errors]
        return
    # Accepted: exactly what the file says is what is excluded, nothing dropped or added.
    hostile_path(lab_root).write_bytes(content)
    try:
        repository = load_repository(lab_root).require()
    finally:
        hostile_path(lab_root).unlink()
    (study,) = [s for s in repository.studies if s.study_id == "hostile"]
    assert sorted(study.workers) == sorted(data.get("workers", []))
    assert sorted(study.hits) == sorted(data.get("hits", []))


VALID_STUDY = (
    MODELINE + "study: hostile\ntitle: A valid study to mutate\npools: [deception]\nstatus: active\n"
    "exclude_until: 2030-01-01\nhits:\n  - 3FAKEHIT000000000000000000001\nworkers:\n"
    "  - AFAKEWORKER1\n  - AFAKEWORKER2\nnotes: |\n  Some notes.\n"
)
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "duplicate"]),
    st.integers(min_value=len(MODELINE), max_value=len(VALID_STUDY)),
    st.one_of(HOSTILE_CHARS, st.text(max_size=5)),
)


@PROPERTY
@given(edits=st.lists(EDIT, min_size=1, max_size=5))
def test_mutations_of_a_valid_study_are_loaded_or_refused_cleanly(
    lab_root: Path, edits: list[tuple[str, int, str]]
) -> None:
    text = VALID_STUDY
    for action, position, piece in edits:
        position = min(position, len(text))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + len(piece) + 1 :]
        else:
            start = text.rfind("\n", 0, position) + 1
            end = text.find("\n", position)
            line = text[start : end + 1] if end >= 0 else text[start:] + "\n"
            text = text[:start] + line + text[start:]
    load_hostile(lab_root, text.encode("utf-8", "surrogatepass"), "mutations")


# --- and a few of them through the command line, against a local MTurk -----------------------


@pytest.fixture(scope="module")
def cli_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    tmp = tmp_path_factory.mktemp("hostile-cli")
    with emulator(tmp) as server:
        yield Lab(tmp / "lab", server)


@settings(PROPERTY, max_examples=8)
@given(data=STUDY_VALUES)
def test_generated_broken_studies_stop_the_command_line_before_any_call(
    cli_lab: Lab, data: dict[str, Any]
) -> None:
    content = dump(data)
    path = cli_lab.studies / "hostile.yaml"
    path.write_bytes(content)
    try:
        result = load_repository(cli_lab.root, check_seed=local_seed_problems)
        assume(errors_only(result.problems))  # only broken files here
        cli_lab.server.reset_counters()
        runs = plan_and_apply(cli_lab)
        calls = counters_all_zero(cli_lab.server)
    finally:
        path.unlink()
    record(
        "hostile_input",
        test="hostile",
        source="hypothesis: structures, through plan and apply",
        exits={command: run.status for command, run in runs.items()},
        mturk_calls=sum(calls.values()),
    )
    for run in runs.values():
        assert_clean_failure(run)
        assert "exclusions/studies/hostile.yaml:" in run.stderr, run.stderr
    assert calls == {}, json.dumps(calls)


# --- file names that try to forge log lines and GitHub annotations ---------------------------

FORGING_NAME = "evil\n::error file=README.md,line=1::forged annotation\n::add-mask::x.yaml"


def test_a_file_name_with_newlines_cannot_forge_a_workflow_command(tmp_path: Path) -> None:
    """git allows newlines in file names; in a log, a line starting with '::' is a command to
    GitHub Actions. Every problem stays one line, and the annotation's properties are escaped."""
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server)
        (lab.studies / FORGING_NAME).write_text(MODELINE + "study: evil\ntitle: Evil\npools: [deception]\n")
        env = clean_env(AWS_MAX_ATTEMPTS="3", GITHUB_ACTIONS="true")
        runs = {
            name: exclusions(*args, cwd=lab.root, env=env)
            for name, args in {
                "validate": ["validate"],
                "plan": ["plan"],
                "apply": ["apply", "--auto-approve"],
            }.items()
        }
        forged = {
            name: [
                line
                for line in run.output.splitlines()
                if line.startswith(("::add-mask", "::error file=README"))
            ]
            for name, run in runs.items()
        }
        record(
            "hostile_input",
            test="hostile",
            source="generated",
            name="a file name forging workflow commands",
            exits={name: run.status for name, run in runs.items()},
            mturk_calls=sum(counters_all_zero(server).values()),
        )
        for name, run in runs.items():
            assert_clean_failure(run)
            assert forged[name] == [], (name, run.output)
            assert "evil\\n::error file=README.md" in run.output, (name, run.output)
        annotations = [line for line in runs["validate"].stdout.splitlines() if line.startswith("::")]
        assert annotations and all(",line=" in line and "%3A%3Aerror" in line for line in annotations), (
            annotations
        )
