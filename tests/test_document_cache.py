"""The cache of validated documents: a repeated load skips parsing unchanged files, and nothing
the YAML reader or a schema refuses ever gets through it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.lab import loading
from reconciler.lab.document_cache import DocumentCache
from reconciler.lab.loading import LoadResult, load_repository
from tests.helpers import PROJECT, assert_no_traceback, clean_env, copy_example, exclusions

CORPUS = PROJECT / "tests" / "corpus" / "studies"
STUDY = "exclusions/studies/trust-game-2026.yaml"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EXCLUSIONS_CACHE_DIR", str(folder))
    monkeypatch.delenv("EXCLUSIONS_CACHE", raising=False)
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the loader parses (rather than takes from the cache)."""
    parsed: list[Path] = []
    real = loading.parse_text

    def counting(path: Path, text: str, *, allow_empty: bool = False) -> loading.Document:
        parsed.append(path)
        return real(path, text, allow_empty=allow_empty)

    monkeypatch.setattr(loading, "parse_text", counting)
    return parsed


def located(result: LoadResult) -> list[tuple[str, int | None, str]]:
    return [(problem.path.name, problem.line, problem.message) for problem in result.problems]


def test_an_unchanged_repository_is_loaded_from_the_cache(
    tmp_path: Path, own_cache: Path, parses: list[Path]
) -> None:
    root = copy_example(tmp_path / "lab")
    first = load_repository(root)
    assert len(parses) == first.files_read > 0
    parses.clear()
    second = load_repository(root)
    assert parses == []
    assert second.repository == first.repository
    assert second.problems == first.problems == []
    # One edited file is parsed again, and only that one.
    study = root / STUDY
    study.write_text(study.read_text().replace("title: ", "title: Edited ", 1))
    third = load_repository(root)
    assert parses == [study]
    assert third.repository is not None
    (edited,) = [s for s in third.repository.studies if s.path == study]
    assert edited.title.startswith("Edited ")


@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.glob("*.yaml")))
def test_a_cached_file_replaced_by_a_hostile_one_is_refused_as_without_a_cache(
    tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    root = copy_example(tmp_path / "lab")
    target = root / "exclusions" / "studies" / name
    shutil.copyfile(root / STUDY, target)
    target.write_text(target.read_text().replace("study: trust-game-2026", f"study: {target.stem}"))
    assert load_repository(root).problems == []  # the valid file is cached under this path
    shutil.copyfile(CORPUS / name, target)
    warm = load_repository(root)
    monkeypatch.setenv("EXCLUSIONS_CACHE", "off")
    cold = load_repository(root)
    assert located(warm) == located(cold)
    assert [p for p in warm.problems if p.path == target] == [p for p in cold.problems if p.path == target]


def test_a_corrupt_or_foreign_cache_is_an_empty_one(
    tmp_path: Path, own_cache: Path, parses: list[Path]
) -> None:
    root = copy_example(tmp_path / "lab")
    first = load_repository(root)
    files = sorted(own_cache.glob("*.json"))
    assert files
    for file in files:
        file.write_text('{"rules": "another version", "entries": {')
    parses.clear()
    again = load_repository(root)
    assert len(parses) == again.files_read
    assert again.repository == first.repository


def test_the_cache_can_be_turned_off(
    tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCLUSIONS_CACHE", "off")
    load_repository(copy_example(tmp_path / "lab"))
    assert not own_cache.exists()


def test_validate_refuses_a_duplicate_key_and_a_yaml_1_1_boolean_after_a_cached_run(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "lab")
    env = clean_env(EXCLUSIONS_CACHE_DIR=str(tmp_path / "cache"))
    assert exclusions("validate", cwd=root, env=env).status == 0
    assert exclusions("validate", cwd=root, env=env).status == 0  # from the cache
    assert list((tmp_path / "cache").glob("*.json"))
    study = root / STUDY
    original = study.read_text()
    study.write_text(original + "status: released\n")
    run = exclusions("validate", cwd=root, env=env)
    assert run.status == 1
    assert_no_traceback(run)
    line = len(original.splitlines()) + 1
    assert f"{STUDY}:{line}:" in run.stdout and "duplicate key" in run.stdout
    study.write_text(original.replace("status: active", "status: yes"))
    run = exclusions("validate", cwd=root, env=env)
    assert run.status == 1
    assert_no_traceback(run)
    assert f"{STUDY}:5:" in run.stdout and "yes" in run.stdout


def _validate_importing(root: Path, env: dict[str, str]) -> tuple[int, str, set[str]]:
    """Run validate in a fresh interpreter (not the tests' fork server, which has imported
    everything already); returns its status, output and which heavy modules it imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reconciler", "validate"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    heavy = {name for name in ("jsonschema", "reconciler.emulators.mturk.seed") if name in imported}
    return run.returncode, run.stdout, heavy


def test_a_repeated_validate_needs_neither_jsonschema_nor_the_emulator_and_a_changed_seed_is_read(
    tmp_path: Path,
) -> None:
    root = copy_example(tmp_path / "lab")
    env = clean_env(EXCLUSIONS_CACHE_DIR=str(tmp_path / "cache"))
    first = _validate_importing(root, env)
    assert first[0] == 0 and first[2] == {"jsonschema", "reconciler.emulators.mturk.seed"}
    again = _validate_importing(root, env)
    assert again[0] == 0 and again[2] == set(), again  # every file, the seed too, from the cache
    seed = root / "exclusions" / "local-seed.yaml"
    seed.write_text(seed.read_text().replace("status: Approved", "status: Approvd", 1))
    changed = _validate_importing(root, env)
    assert changed[0] == 1
    assert "local-seed.yaml:" in changed[1] and "Approvd" in changed[1]


@pytest.mark.parametrize(
    "data",
    [
        {"study": "s1", "workers": ["AWORKER00001", "AWORKER00002"], "hits": ["3HIT"]},
        {"workers": ["", "AWORKER00001", ""], "notes": "a\nb"},
        {"workers": ["two\nlines", "AWORKER00001"]},  # not joined: a newline could not be split back
        {"pools": {"a": ["x", "y"]}, "n": 1, "flag": True, "none": None},
        ["a", "b"],
    ],
)
def test_a_cached_document_comes_back_exactly_as_it_was_put(tmp_path: Path, data: object) -> None:
    path, text = tmp_path / "lab" / "doc.yaml", "the text"
    first = DocumentCache(tmp_path / "cache.json")
    first.put(path, text, "study.schema.json", data, "# first line")
    first.save()
    again = DocumentCache(tmp_path / "cache.json")
    assert again.get(path, text, "study.schema.json") == (data, "# first line")
    assert again.get(path, "another text", "study.schema.json") is None
