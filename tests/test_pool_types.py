"""Each pool's qualification type recorded per target (locks/<target>/pools.yaml), end to end:
read by ID, never searched for again, so MTurk's lagging search index cannot fork a pool."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema

from tests.e2e import Lab, emulator, load_yaml
from tests.helpers import PROJECT, assert_no_traceback


def test_a_plan_at_once_after_apply_has_no_changes_while_the_search_index_lags(tmp_path: Path) -> None:
    with emulator(tmp_path, type_search_lag=60) as server:
        lab = Lab(tmp_path / "lab", server)
        applied = lab.run("apply", "--auto-approve")
        assert applied.status == 0, applied.output
        name = lab.config()["pools"]["deception"]["name"]
        search = lab.client().list_qualification_types(
            Query=name, MustBeRequestable=False, MustBeOwnedByCaller=True
        )
        assert search["QualificationTypes"] == []  # the trap is set: MTurk's search finds nothing yet
        again = lab.run("plan", "--detailed-exitcode")
        assert again.status == 0, again.output
        assert "No changes." in again.stdout
        server.set_clock(server.now() + timedelta(seconds=61))
        assert lab.type_id("deception")  # the index caught up: the same type, found by name


def test_the_record_names_each_pool_type_and_follows_its_schema(lab: Lab) -> None:
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    record = load_yaml(lab.locks / "pools.yaml")
    jsonschema.validate(record, json.loads((PROJECT / "schemas" / "pools.schema.json").read_text()))
    assert record["target"] == "emu"
    assert {pool: entry["id"] for pool, entry in record["pools"].items()} == {
        "deception": lab.type_id("deception"),
        "economic-games": lab.type_id("economic-games"),
    }
    assert lab.run("validate").status == 0


def test_a_type_found_by_name_is_adopted_and_then_read_by_id_only(lab: Lab) -> None:
    name = lab.config()["pools"]["deception"]["name"]
    made = lab.client().create_qualification_type(
        Name=name, Description="made by hand", QualificationTypeStatus="Active"
    )
    planned = lab.run("plan")
    assert planned.status == 0, planned.output
    recorded = load_yaml(lab.locks / "pools.yaml")["pools"]["deception"]["id"]
    assert recorded == made["QualificationType"]["QualificationTypeId"]
    lab.server.reset_counters()
    assert lab.run("plan").status == 0
    assert lab.calls("ListQualificationTypes") == 1  # economic-games only: it has no type yet


def test_a_recorded_type_that_no_longer_exists_is_planned_as_a_re_creation_with_a_warning(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    path = lab.locks / "pools.yaml"
    old_id = load_yaml(path)["pools"]["deception"]["id"]
    path.write_text(path.read_text().replace(old_id, "3GONEGONEGONEGONEGONEGONEGONE0"))
    planned = lab.run("plan", "--format", "json")
    assert planned.status == 0, planned.output
    plan = json.loads(planned.stdout)
    deception = next(pool for pool in plan["pools"] if pool["pool"] == "deception")
    assert deception["group_change"]["action"] == "create"
    assert len(deception["grant"]) == 7
    assert any("3GONEGONEGONEGONEGONEGONEGONE0" in w and "no longer exists" in w for w in plan["warnings"])


def test_a_broken_record_is_reported_at_its_line_and_nothing_is_read(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    path = lab.locks / "pools.yaml"
    path.write_text(path.read_text().replace("target: emu", "target: sandbox"))
    lab.server.reset_counters()
    planned = lab.run("plan")
    assert planned.status == 1
    assert_no_traceback(planned)
    assert "pools.yaml:" in planned.stderr and "target 'sandbox'" in planned.stderr, planned.stderr
    assert lab.server.counters() == {}
