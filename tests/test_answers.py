"""`why`, `holders` and `export` on the example lab, end to end: the command line as a separate
process, its captures read over HTTP from the local MTurk by `exclusions lock`."""

from __future__ import annotations

import csv
import io
import json

from reconciler.kinds.mturk import MTURK
from reconciler.render.answers import export_columns
from tests.e2e import Lab
from tests.helpers import assert_no_traceback

EXPORT_COLUMNS = export_columns(MTURK)
W1 = "AEXAMPLEWORKER0001"  # listed in false-feedback-2025 and took HIT 1 of trust-game-2026
W6 = "AEXAMPLEWORKER0006"  # trust-game-2026 and ultimatum-pilot: in both economic games
TRUST_HIT = "3EXAMPLEHITTRUSTGAME0000000001"
EVERY_WORKER = [f"AEXAMPLEWORKER{n:04d}" for n in range(1, 11)]
# From the example's study files and local-seed.yaml: who took part in each pool's active studies.
DECEPTION = {"AEXAMPLEWORKER0001", "AEXAMPLEWORKER0002", "AEXAMPLEWORKER0003"} | {
    "AEXAMPLEWORKER0006",
    "AEXAMPLEWORKER0007",
    "AEXAMPLEWORKER0008",
    "AEXAMPLEWORKER0009",
}
ECONOMIC_GAMES = {W6: 2}  # exclude_after 2: only the worker of both active games


def locked(lab: Lab) -> Lab:
    run = lab.run("lock")
    assert run.status == 0, run.output
    return lab


def assert_no_whole_id(text: str) -> None:
    for worker_id in EVERY_WORKER:
        assert worker_id not in text, f"{worker_id} shown whole in:\n{text}"


def test_holders_name_uncaptured_hits_instead_of_counting_them_empty(lab: Lab) -> None:
    run = lab.run("holders", "deception", "--format", "json")
    assert run.status == 0, run.output
    answer = json.loads(run.stdout)
    assert len(answer["holders"]) == 3  # only false-feedback-2025's listed workers are known
    assert sorted(answer["uncaptured_hits"]) == [TRUST_HIT, "3EXAMPLEHITTRUSTGAME0000000002"]
    assert "have no capture on target 'emu'" in run.stderr
    assert "exclusions capture --target emu" in run.stderr


def test_holders_of_the_example_lab_as_json_csv_and_table(lab: Lab) -> None:
    locked(lab)
    as_json = lab.run("holders", "deception", "--format", "json", "--show-worker-ids")
    assert as_json.status == 0, as_json.output
    answer = json.loads(as_json.stdout)
    assert {h["participant"] for h in answer["holders"]} == DECEPTION
    assert answer["uncaptured_hits"] == []
    by_id = {h["participant"]: h for h in answer["holders"]}
    assert by_id[W1]["value"] == 2
    assert by_id[W1]["studies"] == ["false-feedback-2025", "trust-game-2026"]
    assert by_id["AEXAMPLEWORKER0002"]["until"] == "2028-12-31"
    assert {s["study"]: s["participants"] for s in answer["studies"]} == {
        "false-feedback-2025": 3,
        "moral-dilemmas-2026": 0,  # run on Prolific: no participant on this MTurk target
        "trust-game-2026": 5,
    }

    as_csv = lab.run("holders", "economic-games", "--format", "csv", "--show-worker-ids")
    assert as_csv.status == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["participant"]: int(row["value"]) for row in rows} == ECONOMIC_GAMES
    assert rows[0]["studies"] == "trust-game-2026 ultimatum-pilot"

    table = lab.run("holders", "deception")
    assert table.status == 0, table.output
    assert "7 holder(s)" in table.stdout
    assert "AE…001" in table.stdout
    assert_no_whole_id(table.output)


def test_holders_agree_with_what_apply_grants(lab: Lab) -> None:
    locked(lab)
    assert lab.run("apply", "--auto-approve").status == 0
    for pool in ("deception", "economic-games"):
        run = lab.run("holders", pool, "--format", "json", "--show-worker-ids")
        listed = {h["participant"]: h["value"] for h in json.loads(run.stdout)["holders"]}
        assert listed == lab.holders(pool)


def test_holders_of_an_unknown_pool_fails_cleanly(lab: Lab) -> None:
    run = lab.run("holders", "nosuchpool")
    assert run.status == 1
    assert "no pool named 'nosuchpool'; pools: deception, economic-games" in run.stderr
    assert_no_traceback(run)


def test_why_shows_studies_hits_captures_and_what_would_change_it(lab: Lab) -> None:
    locked(lab)
    run = lab.run("why", W1)
    assert run.status == 0, run.output
    deception, economic = run.stdout.split("pool economic-games:")
    assert "pool deception: EXCLUDED (in 2 of its excluding studies" in deception
    assert "listed under workers: in exclusions/studies/false-feedback-2025.yaml" in deception
    assert f"HIT {TRUST_HIT}" in deception
    assert f"recorded in exclusions/locks/emu/{TRUST_HIT}.yaml" in deception
    assert (
        "stays excluded until all of false-feedback-2025, trust-game-2026 are released; "
        "after 2028-12-31, until trust-game-2026 is released (trust-game-2026 has no exclude_until)"
    ) in deception
    assert economic.startswith(" not excluded (in 1 of its excluding studies; excluded after 2)")
    assert "taking part in 1 more active study of this pool would exclude them" in economic
    assert_no_whole_id(run.output)


def test_why_for_a_worker_in_no_study(lab: Lab) -> None:
    locked(lab)
    run = lab.run("why", "AEXAMPLEWORKER0099", "--show-worker-ids")
    assert run.status == 0, run.output
    assert run.stdout.startswith("AEXAMPLEWORKER0099 on target 'emu' (MTurk)")
    assert run.stdout.count("took part in none of its studies") == 2
    assert "no study file or capture of target 'emu' names this worker; check the ID" in run.stdout


def test_why_live_reads_the_workers_values_on_the_target(lab: Lab) -> None:
    locked(lab)
    before = lab.run("why", W6, "--live")
    assert before.status == 0, before.output
    assert before.stdout.count("live on 'emu': does not hold it") == 2
    assert lab.run("apply", "--auto-approve").status == 0
    after = lab.run("why", W6, "--live")
    assert "live on 'emu': holds the qualification with value 1" in after.stdout.split("economic-games")[0]
    assert "live on 'emu': holds the qualification with value 2" in after.stdout


def test_why_live_fails_cleanly_when_the_target_cannot_be_read(lab: Lab) -> None:
    locked(lab)
    lab.server.add_scripted_fault("ListQualificationTypes", nth=1, count=50)
    run = lab.run("why", W1, "--live")
    assert run.status == 1
    assert "cannot tell the worker's live values" in run.stderr
    assert run.stdout == ""
    assert_no_traceback(run)


def test_export_writes_documented_csv_and_json_masked(lab: Lab) -> None:
    locked(lab)
    out = lab.root / "ethics"
    run = lab.run("export", "--out", str(out))
    assert run.status == 0, run.output
    rows = list(csv.DictReader((out / "record.csv").open(encoding="utf-8")))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    document = json.loads((out / "record.json").read_text(encoding="utf-8"))
    assert document["columns"] == EXPORT_COLUMNS
    assert document["participant_ids"] == "masked"
    assert document["rows"] == rows
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert all(f"  {column}: " in readme for column in EXPORT_COLUMNS)
    for path in out.iterdir():
        assert_no_whole_id(path.read_text(encoding="utf-8"))
    # One row per participant, pool and study: deception has W1 twice (two studies), the games
    # count every participant of all three studies, released ones included.
    per_pool = {pool: sum(row["pool"] == pool for row in rows) for pool in ("deception", "economic-games")}
    assert per_pool == {"deception": 8, "economic-games": 9}
    pools = {pool["pool"]: pool for pool in document["pools"]}
    assert pools["deception"]["excluded"] == 7
    assert pools["economic-games"]["excluded"] == 1
    assert {hit["hit"]: hit["capture"] for hit in document["hits"]} == {
        TRUST_HIT: "partial",
        "3EXAMPLEHITTRUSTGAME0000000002": "partial",
        "3EXAMPLEHITULTIMATUM0000000001": "partial",
    }


def test_export_with_worker_ids_shows_them_and_says_so(lab: Lab) -> None:
    locked(lab)
    out = lab.root / "ethics"
    run = lab.run("export", "--out", str(out), "--show-worker-ids")
    assert run.status == 0, run.output
    document = json.loads((out / "record.json").read_text(encoding="utf-8"))
    assert document["participant_ids"] == "whole"
    excluded = {row["participant"] for row in document["rows"] if row["pool"] == "deception"}
    assert excluded == DECEPTION


def test_export_into_a_file_fails_cleanly(lab: Lab) -> None:
    (lab.root / "taken").write_text("not a folder\n")
    run = lab.run("export", "--out", str(lab.root / "taken" / "inside"))
    assert run.status == 1
    assert "cannot write the export to" in run.stderr
    assert_no_traceback(run)
