"""``exclusions validate`` end to end: the example passes, every broken file is reported at its line."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reconciler.lab.yaml_files import MAX_FILE_BYTES
from tests.helpers import PROJECT, assert_no_traceback, exclusions

CORPUS = PROJECT / "tests" / "corpus"
EXPECTATIONS: dict[str, list[list[object]]] = YAML(typ="safe").load(CORPUS / "expectations.yaml")


@pytest.fixture
def lab(example_lab: Path) -> Path:
    """validate needs no platform: the example lab on its embedded target is enough."""
    return example_lab


def test_the_shipped_example_is_valid() -> None:
    run = exclusions("validate", cwd=PROJECT)
    assert run.status == 0, run.output
    assert "valid: 5 studies" in run.stdout
    assert "warning" not in run.output


def test_validate_works_from_a_sub_folder_and_with_a_path(lab: Path) -> None:
    assert exclusions("validate", cwd=lab / "exclusions" / "studies").status == 0
    assert exclusions("validate", str(lab), cwd=lab.parent).status == 0


def test_outside_a_repository_says_where_to_run(tmp_path: Path) -> None:
    run = exclusions("validate", cwd=tmp_path)
    assert run.status == 1
    assert "no exclusions/config.yaml" in run.stderr
    assert_no_traceback(run)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_each_broken_file_is_reported_at_its_line(lab: Path, name: str) -> None:
    shutil.copy(CORPUS / "studies" / name, lab / "exclusions" / "studies" / name)
    run = exclusions("validate", "--show-worker-ids", cwd=lab)  # the corpus quotes IDs whole
    assert run.status == 1, run.output
    assert_no_traceback(run)
    for line, fragment in EXPECTATIONS[name]:
        location = f"exclusions/studies/{name}:{line}:" if line else f"exclusions/studies/{name}:"
        matching = [text for text in run.stdout.splitlines() if text.startswith(location)]
        assert any(str(fragment) in text for text in matching), (location, fragment, run.stdout)
        assert all("(hint: " in text for text in matching)


def test_every_problem_is_reported_in_one_run(lab: Path) -> None:
    for name in EXPECTATIONS:
        shutil.copy(CORPUS / "studies" / name, lab / "exclusions" / "studies" / name)
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    expected = sum(len(problems) for problems in EXPECTATIONS.values())
    errors = [line for line in run.stdout.splitlines() if ": warning: " not in line]
    assert len(errors) >= expected
    assert f"{len(errors)} errors" in run.stderr


def _write_bytes(lab: Path, name: str, content: bytes) -> Path:
    path = lab / "exclusions" / "studies" / name
    path.write_bytes(content)
    return path


BOMB = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode() for i in range(8)
)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.yaml", b"", "the file is empty"),
        ("comment-only.yaml", b"# nothing here\n", "the file is empty"),
        ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the file is binary"),
        ("utf16.yaml", "study: utf16\n".encode("utf-16"), "encoded as UTF-16"),
        ("latin1.yaml", "title: caf\xe9\n".encode("latin-1"), "not valid UTF-8"),
        ("bomb.yaml", BOMB, "alias bomb"),
        ("deep.yaml", b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    ],
)
def test_hostile_files_end_in_a_clear_message(lab: Path, name: str, content: bytes, fragment: str) -> None:
    _write_bytes(lab, name, content)
    run = exclusions("validate", cwd=lab, timeout=60)
    assert run.status == 1
    assert_no_traceback(run)
    lines = [line for line in run.stdout.splitlines() if f"studies/{name}" in line]
    assert lines, run.output
    assert any(fragment in line for line in lines), run.stdout


def test_a_huge_file_is_refused_without_reading_it(lab: Path) -> None:
    path = lab / "exclusions" / "studies" / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk, still over the limit
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert "over the limit" in run.stdout
    assert_no_traceback(run)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="the platform has no symbolic links")
def test_a_link_out_of_the_repository_is_refused(lab: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("study: outside\n")
    (lab / "exclusions" / "studies" / "outside.yaml").symlink_to(outside)
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert "link to a place outside the repository" in run.stdout


def test_a_yml_file_is_not_silently_ignored(lab: Path) -> None:
    source = lab / "exclusions" / "studies" / "ultimatum-pilot.yaml"
    source.rename(source.with_suffix(".yml"))
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert "rename it to ultimatum-pilot.yaml" in run.stdout


def test_study_ids_differing_only_in_case_clash(lab: Path) -> None:
    studies = lab / "exclusions" / "studies"
    text = (studies / "ultimatum-pilot.yaml").read_text()
    (studies / "Ultimatum-Pilot.yaml").write_text(
        text.replace("study: ultimatum-pilot", "study: Ultimatum-Pilot")
    )
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert "is also used by" in run.stdout


def test_a_missing_modeline_is_a_warning_with_the_line_to_add(lab: Path) -> None:
    path = lab / "exclusions" / "studies" / "ultimatum-pilot.yaml"
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    run = exclusions("validate", cwd=lab)
    assert run.status == 0
    assert "warning: the first line does not name the file's schema" in run.stdout
    assert "# yaml-language-server: $schema=../../schemas/study.schema.json" in run.stdout


@pytest.mark.parametrize(
    ("edit", "fragment", "line"),
    [
        (("default_target: local", "default_target: staging"), "default_target 'staging' is not one of", 7),
        (("kind: local", "kind: lokal"), "is not allowed; use one of", 12),
        (("endpoint: sandbox", "endpoint: sandbox\n    endpoint_url: http://x"), "exactly one of", 16),
        (("exclude_after: 2", "exclude_after: 0"), "less than the minimum of 1", 52),
        (
            (
                '    name: "Example Lab: played our economic games"',
                '    name: "Example Lab: took part in a deception study"',
            ),
            "share the name",
            50,
        ),
        (("version: 1", "version: 2"), "use one of: 1", 4),
        (("seed: local-seed.yaml", "seed: missing.yaml"), "does not exist", 13),
    ],
)
def test_config_problems_point_at_their_line(
    lab: Path, edit: tuple[str, str], fragment: str, line: int
) -> None:
    config = lab / "exclusions" / "config.yaml"
    text = config.read_text()
    assert edit[0] in text
    config.write_text(text.replace(edit[0], edit[1], 1))
    run = exclusions("validate", cwd=lab)
    assert run.status == 1, run.output
    assert any(
        text.startswith(f"exclusions/config.yaml:{line}:") and fragment in text
        for text in run.stdout.splitlines()
    ), run.stdout


def test_the_local_seed_is_validated_too(lab: Path) -> None:
    seed = lab / "exclusions" / "local-seed.yaml"
    seed.write_text(seed.read_text().replace("status: Approved}", "status: Aproved}", 1))
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert any(
        line.startswith("exclusions/local-seed.yaml:8:") and '"Aproved" is not allowed' in line
        for line in run.stdout.splitlines()
    ), run.stdout


def test_pinning_a_type_on_an_unknown_target(lab: Path) -> None:
    config = lab / "exclusions" / "config.yaml"
    config.write_text(
        config.read_text().replace(
            "    keywords: example lab, prior participant",
            "    keywords: example lab, prior participant\n    qualification_type_id:\n      prod: 3FAKEQUALTYPE00000000000000001",
        )
    )
    run = exclusions("validate", cwd=lab)
    assert run.status == 1
    assert "pins a qualification type for 'prod', which is not a target" in run.stdout


def test_github_actions_gets_annotations(lab: Path) -> None:
    shutil.copy(CORPUS / "studies" / "unknown-key.yaml", lab / "exclusions" / "studies")
    from tests.helpers import clean_env

    run = exclusions("validate", cwd=lab, env=clean_env(GITHUB_ACTIONS="true"))
    assert (
        "::error file=exclusions/studies/unknown-key.yaml,line=6,col=1::unknown key 'wrokers'" in run.stdout
    )


def test_every_schema_property_has_a_description() -> None:
    def walk(node: object, where: str) -> list[str]:
        missing = []
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                missing.extend(walk(sub, f"{where}/{key}"))
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                missing.extend(walk(sub, f"{where}[{index}]"))
        return missing

    for path in sorted((PROJECT / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"]
        assert walk(schema, path.name) == [], path.name
