"""HIT IDs that cannot be right, end to end: validate names them; plan is honest about an unknown HIT."""

from __future__ import annotations

from tests.e2e import Lab
from tests.helpers import assert_no_traceback

REAL_LOOKING = "3EXAMPLEHITTRUSTGAME0000000001"


def test_validate_flags_a_worker_id_under_hits(lab: Lab) -> None:
    lab.write_study("mixed-up", hits=["AEXAMPLEWORKER0001"])
    run = lab.run("validate")
    assert run.status == 1
    assert_no_traceback(run)
    assert "exclusions/studies/mixed-up.yaml:8:" in run.output
    assert "under 'hits:' looks like a worker ID" in run.output
    assert "move it under 'workers:'" in run.output
    assert "AEXAMPLEWORKER0001" not in run.output  # masked: validate's messages reach pull requests
    shown = lab.run("validate", "--show-worker-ids")
    assert "AEXAMPLEWORKER0001 under 'hits:' looks like a worker ID" in shown.output


def test_validate_flags_a_pasted_url_and_names_the_id_in_it(lab: Lab) -> None:
    url = f"https://requester.mturk.com/mturk/manageHIT?hitId={REAL_LOOKING}"
    lab.write_study("pasted", hits=[url])
    run = lab.run("validate")
    assert run.status == 1
    assert_no_traceback(run)
    assert "a URL under 'hits:'" in run.output
    assert f"write the HIT ID alone: {REAL_LOOKING}" in run.output


def test_a_hit_mturk_does_not_know_gets_every_possible_reason(lab: Lab) -> None:
    lab.write_study("typo", hits=["3EXAMPLEHITTYPO000000000000001"])
    run = lab.run("plan")
    assert run.status == 1
    assert_no_traceback(run)
    assert "exclusions/studies/typo.yaml:" in run.stderr
    for reason in ("mistyped", "another target", "disposed of"):
        assert reason in run.stderr, run.stderr
    assert "disposed of 120 days after its creation" not in run.stderr
