"""The one writer of machine-written YAML files: comments a lab added survive a rewrite, and the
fast path (no comment of the lab's to keep) writes exactly what the round trip would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from reconciler.core.model import Capture, GrantRecord
from reconciler.lab.captures import write_capture
from reconciler.lab.granted import record_grants
from reconciler.lab.layout import Layout
from reconciler.lab.yaml_writer import _round_trip, rewriting

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RECORD = GrantRecord(frozenset({"AEXAMPLEWORKER0001", "AEXAMPLEWORKER0002"}), frozenset({"s1"}))


def lab(tmp_path: Path) -> Layout:
    (tmp_path / "exclusions").mkdir()
    return Layout(tmp_path)


def test_a_comment_the_lab_added_survives_a_rewrite(tmp_path: Path) -> None:
    layout = lab(tmp_path)
    record_grants(layout, "local", "deception", RECORD, NOW)
    path = layout.granted_file("local", "deception")
    path.write_text(
        path.read_text().replace("- AEXAMPLEWORKER0001", "- AEXAMPLEWORKER0001  # known bad actor, ticket 12")
    )
    grown = GrantRecord(RECORD.workers | {"AEXAMPLEWORKER0003"}, RECORD.studies)
    record_grants(layout, "local", "deception", grown, NOW)
    text = path.read_text()
    assert "- AEXAMPLEWORKER0001  # known bad actor, ticket 12" in text
    assert "- AEXAMPLEWORKER0003" in text


def test_without_a_comment_of_the_lab_the_fast_path_writes_what_the_round_trip_would(
    tmp_path: Path,
) -> None:
    layout = lab(tmp_path)
    record_grants(layout, "local", "deception", RECORD, NOW)
    path = layout.granted_file("local", "deception")
    on_disk = path.read_text()
    # What the round trip makes of the file after the same edit.
    expected = _round_trip().load(on_disk)
    expected["workers"] = CommentedSeq([*expected["workers"], "AEXAMPLEWORKER0003"])
    buffer = StringIO()
    _round_trip().dump(expected, buffer)
    with rewriting(layout, path, "granted.schema.json", "unused: the file's own lines are kept") as document:
        assert document["recorded_at"] == "2026-11-30T12:00:00Z"  # a date stays text, as written
        document["workers"] = CommentedSeq([*document["workers"], "AEXAMPLEWORKER0003"])
    assert path.read_text() == buffer.getvalue()


def test_a_comment_on_a_captured_worker_survives_a_new_reading(tmp_path: Path) -> None:
    layout = lab(tmp_path)
    hit_id = "3EXAMPLEHITTRUSTGAME0000000001"
    capture = Capture("local", hit_id, NOW, False, frozenset({"AEXAMPLEWORKER0002"}))
    write_capture(layout, capture)
    path = layout.capture_file("local", hit_id)
    path.write_text(path.read_text().replace("- AEXAMPLEWORKER0002", "- AEXAMPLEWORKER0002  # paid a bonus"))
    write_capture(layout, replace(capture, workers=frozenset({"AEXAMPLEWORKER0001"})))
    text = path.read_text()
    assert "  - AEXAMPLEWORKER0001\n  - AEXAMPLEWORKER0002  # paid a bonus\n" in text
