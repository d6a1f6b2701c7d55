"""Concurrent runs: two applies at once against the same target.

What correct means: both runs plan from the same repository, so they want the same end state.
Either both exit 0, or one exits 1 naming only changes the other run made first (a grant or a
qualification type creation racing) and a re-run converges with nothing left to do. Whatever the
interleaving, the final holders equal the desired ones, and no worker who must stay excluded is
ever revoked: no desired worker's qualification is on record as revoked, and no holder's grant
time moved (a revocation followed by a re-grant would move it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import pytest

from tests.e2e import Lab, emulator, iso, load_yaml
from tests.helpers import EXAMPLE
from tests.reliability import (
    assert_clean_failure,
    desired_holders,
    finish,
    grant_times,
    hit_workers,
    live_holders,
    lost_exclusions,
    record,
    start,
    wrong_revocations,
)

DECEPTION = load_yaml(EXAMPLE / "config.yaml")["pools"]["deception"]
ROUNDS = [(1, True), (2, True), (3, False), (4, False)]  # (seed, the pool's type exists already)


@pytest.mark.parametrize(("seed", "type_exists"), ROUNDS)
def test_two_applies_at_once_end_in_the_desired_state_with_no_wrong_revocation(
    tmp_path: Path, seed: int, type_exists: bool
) -> None:
    rng = Random(seed)
    kept = [f"ACONKEPT{seed}X{i:04d}" for i in range(rng.randint(20, 40))]
    gone = [f"ACONGONE{seed}X{i:04d}" for i in range(rng.randint(10, 30))]
    new = [f"ACONNEW{seed}X{i:04d}" for i in range(rng.randint(60, 120))]
    holders = {w: 1 for w in kept + gone}
    seed_document = {
        "qualification_types": [
            {
                "name": DECEPTION["name"],
                "description": DECEPTION["description"],
                "keywords": DECEPTION["keywords"],
                "holders": [{"worker_id": w, "value": v} for w, v in holders.items()],
            }
        ]
    }
    with emulator(tmp_path, seed_document if type_exists else None, latency_ms=rng.choice([5, 10])) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=4)
        lab.write_study("kept", workers=kept)
        lab.write_study("released", status="released", workers=gone)
        lab.write_study("new", workers=new)
        desired = desired_holders(lab, hit_workers(server))
        before = live_holders(lab)
        granted_before = grant_times(lab)
        revocations = len(gone) if type_exists else 0
        args = ["apply", "--auto-approve"] + (["--allow-revoke", str(revocations)] if revocations else [])
        first, second = start(lab, *args), start(lab, *args)
        runs = [finish(first), finish(second)]
        statuses = sorted(run.status for run in runs)
        wrong = wrong_revocations(lab, desired, before)
        moved = sorted(
            f"{pool}:{worker}"
            for pool, times in granted_before.items()
            for worker, granted in times.items()
            if worker in desired[pool] and grant_times(lab)[pool].get(worker) != granted
        )
        rerun = lab.run("apply", "--auto-approve")
        again = lab.run("plan", "--detailed-exitcode")
        lost = lost_exclusions(lab, desired)
        record(
            "concurrent_run",
            test="concurrency",
            seed=seed,
            type_existed=type_exists,
            exits=statuses,
            rerun_exit=rerun.status,
            converged=again.status == 0 and live_holders(lab) == desired,
            lost_exclusions=len(lost),
            wrong_revocations=len(set(wrong) | set(moved)),
        )
        assert statuses in ([0, 0], [0, 1]), [run.output for run in runs]
        for run in runs:
            if run.status == 1:
                assert_clean_failure(run)
                # Either it lost a race for some change, or it planned after the other run had revoked
                # some workers, so --allow-revoke N no longer matched its plan: refused, nothing changed.
                refused_count = (
                    "UnexpectedRevocationCount" in run.stderr and "nothing was changed" in run.stderr
                )
                assert "Apply incomplete" in run.stderr or "already" in run.stderr or refused_count, (
                    run.stderr
                )
        assert wrong == [] and moved == [], (wrong, moved)
        assert rerun.status == 0, rerun.output
        assert again.status == 0, again.output
        assert live_holders(lab) == desired and lost == []
        assert server.state()["notifications"] == []


LOCK_HITS = 80
LOCK_ROUNDS = 4
LOCK_RUNS = 5


def test_concurrent_lock_runs_write_every_capture_whole_and_all_succeed(tmp_path: Path) -> None:
    """A scheduled capture job overlapping a manual `lock` (or a plan): both write the same
    capture files at once. Each must succeed, and every capture must be whole and complete."""
    now = datetime.now(UTC)
    hits = [
        {
            "hit_id": f"3LOCKRACE{index:021d}",
            "created": iso(now - timedelta(days=1)),
            "lifetime_seconds": 30 * 86400,
            "max_assignments": 1,
            "assignments": [{"worker_id": f"ALOCKRACE{index:05d}", "status": "Approved"}],
        }
        for index in range(LOCK_HITS)
    ]
    with emulator(tmp_path, {"hits": hits}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("lock-race", hits=[hit["hit_id"] for hit in hits])
        for _ in range(LOCK_ROUNDS):
            for capture in lab.locks.glob("*.yaml"):
                capture.unlink()
            processes = [start(lab, "lock") for _ in range(LOCK_RUNS)]
            runs = [finish(process) for process in processes]
            failures = [run.output for run in runs if run.status != 0]
            captures = {path.stem: load_yaml(path) for path in lab.locks.glob("*.yaml")}
            workers = {hit["hit_id"]: hit["assignments"][0]["worker_id"] for hit in hits}
            lost = [
                hit_id
                for hit_id, worker in workers.items()
                if worker not in captures.get(hit_id, {}).get("workers", [])
            ]
            record(
                "concurrent_run",
                test="concurrency",
                scenario=f"{LOCK_RUNS} lock runs at once",
                exits=sorted(run.status for run in runs),
                lost_exclusions=len(lost),
                wrong_revocations=0,
            )
            assert failures == [], failures
            assert lost == []
        assert not list(lab.locks.glob("*.tmp")), "temporary files left behind"
