"""The state file: survives restarts, is never left partial, and journals every answered write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.documents import writing
from reconciler.emulators.mturk import LocalMTurk, StateError, persistence
from tests.local_mturk.support import create_hit, create_type, make_client


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalMTurk(state_path=state) as emulator:
        client = make_client(emulator.endpoint_url)
        type_id = create_type(client)
        client.associate_qualification_with_worker(
            QualificationTypeId=type_id, WorkerId="A1X", IntegerValue=5
        )
        hit_id = create_hit(client)["HITId"]
    # The journal is folded in on stop; the empty lock file stays (deleting it would race a new owner).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
    assert json.loads(state.read_text())["format"] == persistence.FORMAT
    with LocalMTurk(state_path=state) as emulator:
        client = make_client(emulator.endpoint_url)
        score = client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1X")["Qualification"]
        assert score["IntegerValue"] == 5
        assert client.get_hit(HITId=hit_id)["HIT"]["HITId"] == hit_id
        # New IDs do not collide with the restored ones.
        assert create_type(client, "second") != type_id


def test_answered_writes_survive_a_crash_without_a_clean_stop(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emulator = LocalMTurk(state_path=state)
    client = make_client(emulator.start())
    type_id = create_type(client)
    for index in range(20):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=f"A{index}X")
    # Simulate a crash: nothing is flushed or compacted; only what the journal holds remains.
    journal_copy = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    emulator.stop()
    for path in tmp_path.iterdir():
        path.unlink()
    for name, data in journal_copy.items():
        (tmp_path / name).write_bytes(data)
    with LocalMTurk(state_path=state) as restarted:
        holders = restarted.state()["qualification_types"][0]["holders"]
        assert len(holders) == 20


def test_a_torn_last_journal_line_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalMTurk(state_path=state) as emulator:
        type_id = create_type(make_client(emulator.endpoint_url))
    generation = json.loads(state.read_text())["journal_generation"]
    journal = tmp_path / f"state.json.journal.{generation}"
    record = {
        "k": "holder",
        "t": type_id,
        "v": {
            "worker_id": "A1X",
            "value": 1,
            "status": "Granted",
            "granted": "2026-01-05T12:00:00Z",
            "reason": None,
        },
    }
    journal.write_text(json.dumps([record]) + "\n" + json.dumps([record])[:25])
    with LocalMTurk(state_path=state) as emulator:
        assert [h["worker_id"] for h in emulator.state()["qualification_types"][0]["holders"]] == ["A1X"]


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state.json"
    writing.atomic_write_bytes(target, b'{"old": true}')

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        writing.atomic_write_bytes(target, b'{"new": true, "padding": "' + b"x" * 100_000 + b'"}')
    assert target.read_bytes() == b'{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_crash_mid_compaction_keeps_the_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json"
    emulator = LocalMTurk(state_path=state)
    client = make_client(emulator.start())
    type_id = create_type(client)
    client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1X")

    def crash(*_args: object) -> None:
        raise OSError("crash during replace")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError):
            emulator.store.compact(force=True)
    assert not list(tmp_path.glob("*.tmp"))
    json.loads(state.read_text())  # still a whole document
    emulator.stop()
    with LocalMTurk(state_path=state) as restarted:
        holders = restarted.state()["qualification_types"][0]["holders"]
        assert [h["worker_id"] for h in holders] == ["A1X"]


def test_a_file_that_is_not_a_state_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"something": "else"}')
    with pytest.raises(StateError, match="not a local MTurk state"):
        LocalMTurk(state_path=state).start()


def test_no_request_is_served_after_stop(tmp_path: Path) -> None:
    emulator = LocalMTurk(state_path=tmp_path / "state.json")
    client = make_client(emulator.start(), retries=1)
    create_type(client)  # opens a pooled keep-alive connection
    emulator.stop()
    with pytest.raises(Exception):  # the connection is closed; nothing serves it
        create_type(client, "after stop")
    with LocalMTurk(state_path=tmp_path / "state.json") as restarted:
        assert [qt["name"] for qt in restarted.state()["qualification_types"]] == ["Prior participant"]


def test_one_process_at_a_time_serves_a_state(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with LocalMTurk(state_path=path):
        second = LocalMTurk(state_path=path)
        with pytest.raises(StateError, match="is in use by another local MTurk"):
            second.start()
    with LocalMTurk(state_path=path) as third:  # free again once the first has stopped
        assert third.state()["format"] == "local-mturk-state/1"
