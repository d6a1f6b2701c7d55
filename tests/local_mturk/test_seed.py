"""Seed files: the schema, errors with line and column, and idempotent merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reconciler.emulators.mturk import LocalMTurk, SeedError
from reconciler.emulators.mturk.seed import load_seed, schema_path
from tests.local_mturk.support import make_client

SEED = """\
hits:
  - hit_id: 3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA
    created: 2026-01-05T12:00:00Z
    title: Trust game
    assignments:
      - worker_id: A1AAAAAAAAAAAA
        status: Approved
qualification_types:
  - name: Prior participant
    description: Took part in an earlier study
    holders:
      - worker_id: A2AAAAAAAAAAAA
        value: 1
"""


def _write(tmp_path: Path, text: str, name: str = "seed.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(SeedError) as caught:
        load_seed(path)
    return caught.value.errors


def test_schema_is_draft_2020_12_with_id_and_descriptions() -> None:
    schema = json.loads(schema_path().read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, where
            for name, child in node.get("properties", {}).items():
                assert child.get("description"), f"{where}.{name}"
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{where}[{index}]")

    walk(schema, "$")


def test_the_documented_example_seeds_hits_and_holders(tmp_path: Path) -> None:
    with LocalMTurk(seed_path=_write(tmp_path, SEED)) as emulator:
        client = make_client(emulator.endpoint_url)
        emulator.set_clock(emulator.now().replace(year=2026, month=1, day=6))
        [assignment] = client.list_assignments_for_hit(HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")["Assignments"]
        assert (assignment["WorkerId"], assignment["AssignmentStatus"]) == ("A1AAAAAAAAAAAA", "Approved")
        [qualification_type] = client.list_qualification_types(MustBeRequestable=True)["QualificationTypes"]
        holders = client.list_workers_with_qualification_type(
            QualificationTypeId=qualification_type["QualificationTypeId"]
        )["Qualifications"]
        assert [(q["WorkerId"], q["IntegerValue"]) for q in holders] == [("A2AAAAAAAAAAAA", 1)]


def test_merging_twice_never_duplicates(tmp_path: Path) -> None:
    seed = _write(tmp_path, SEED)
    state = tmp_path / "state.json"
    with LocalMTurk(state_path=state, seed_path=seed) as emulator:
        first = emulator.state()
    extended = SEED.replace(
        "        value: 1\n", "        value: 1\n      - worker_id: A3AAAAAAAAAAAA\n        value: 2\n"
    )
    for text in (SEED, extended):
        with LocalMTurk(state_path=state, seed_path=_write(tmp_path, text)) as emulator:
            again = emulator.state()
    assert len(again["hits"]) == len(first["hits"]) == 1
    assert len(again["hits"][0]["assignments"]) == 1
    assert len(again["qualification_types"]) == 1
    assert [h["worker_id"] for h in again["qualification_types"][0]["holders"]] == [
        "A2AAAAAAAAAAAA",
        "A3AAAAAAAAAAAA",
    ]
    assert again["qualification_types"][0]["id"] == first["qualification_types"][0]["id"]


def test_seed_merges_into_a_type_created_over_the_api(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalMTurk(state_path=state) as emulator:
        client = make_client(emulator.endpoint_url)
        client.create_qualification_type(
            Name="Prior participant", Description="made by the API", QualificationTypeStatus="Active"
        )
    with LocalMTurk(state_path=state, seed_path=_write(tmp_path, SEED)) as emulator:
        [qualification_type] = emulator.state()["qualification_types"]
        assert qualification_type["description"] == "made by the API"
        assert [h["worker_id"] for h in qualification_type["holders"]] == ["A2AAAAAAAAAAAA"]


def test_schema_errors_name_file_line_and_column(tmp_path: Path) -> None:
    text = SEED.replace("status: Approved", "status: Done").replace(
        "value: 1", "value: 1\n        colour: red"
    )
    path = _write(tmp_path, text)
    errors = _errors(path)
    assert len(errors) == 2
    assert errors[0].startswith(f'{path}:7:17: "Done" is not allowed; use one of')
    assert errors[1].startswith(f"{path}:14:9: unknown key 'colour'")


def test_bad_worker_id_and_missing_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "qualification_types:\n  - description: x\n    holders:\n      - worker_id: w1\n")
    errors = _errors(path)
    assert any(e.startswith(f"{path}:2:5: missing required key 'name'") for e in errors)
    assert any(e.startswith(f'{path}:4:20: "w1" is not a valid') for e in errors)


def test_yaml_syntax_error_has_a_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "hits:\n  - title: [unclosed\n")
    [error] = _errors(path)
    assert error.startswith(f"{path}:3:")


def test_bad_date_has_a_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "hits:\n  - created: 2026-01-05\n")
    [error] = _errors(path)
    assert error.startswith(f'{path}:2:14: "2026-01-05" is not a real date-time')


def test_seed_errors_are_raised_by_the_constructor(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"seed.yaml:1:1: unknown key 'workers'"):
        LocalMTurk(seed_path=_write(tmp_path, "workers: []\n"))


def test_missing_seed_file(tmp_path: Path) -> None:
    [error] = _errors(tmp_path / "absent.yaml")
    assert "the file does not exist" in error


def test_the_seed_example_in_the_docs_loads(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "local-mturk.md"
    example = docs.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    with LocalMTurk(seed_path=_write(tmp_path, example)) as emulator:
        state = emulator.state()
    assert state["requesters"] == ["AKIDOTHERLAB"]
    assert (
        state["hits"][0]["qualification_requirements"][0]["QualificationTypeId"]
        == (state["qualification_types"][0]["id"])
    )
