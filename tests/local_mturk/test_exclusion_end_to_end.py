"""The whole point of the project, end to end: after `exclusions apply`, a HIT made with the
requirement `exclusions requirement` prints refuses excluded workers and takes everyone else."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e import Lab
from tests.local_mturk.support import Worker, create_hit

EXCLUDED = "AEXAMPLEWORKER0001"  # took part in two deception studies of the example lab
NEWCOMER = "AEXAMPLEWORKER0099"  # never took part in any study


def _new_study_hit(lab: Lab, *options: str) -> str:
    applied = lab.run("apply", "--auto-approve")
    assert applied.status == 0, applied.output
    printed = lab.run("requirement", "deception", *options)
    assert printed.status == 0, printed.output
    requirement: dict[str, Any] = json.loads(printed.stdout)
    return str(create_hit(lab.client(), MaxAssignments=5, QualificationRequirements=[requirement])["HITId"])


def test_an_excluded_worker_cannot_find_preview_or_accept_the_new_hit(lab: Lab) -> None:
    hit_id = _new_study_hit(lab)
    excluded = Worker(lab.server.endpoint_url, EXCLUDED)
    assert hit_id not in excluded.discovers()
    assert excluded.preview(hit_id)[0] == 403
    assert excluded.accept(hit_id)[0] == 403
    newcomer = Worker(lab.server.endpoint_url, NEWCOMER)
    assert hit_id in newcomer.discovers()
    assert newcomer.preview(hit_id)[0] == 200
    assignment = newcomer.accepts(hit_id)
    assert newcomer.submit(assignment)[0] == 200
    assert lab.client().get_hit(HITId=hit_id)["HIT"]["NumberOfAssignmentsAvailable"] == 4


def test_with_actions_guarded_accept_the_excluded_worker_sees_but_cannot_take_the_hit(lab: Lab) -> None:
    hit_id = _new_study_hit(lab, "--actions-guarded", "Accept")
    excluded = Worker(lab.server.endpoint_url, EXCLUDED)
    assert hit_id in excluded.discovers()
    assert excluded.preview(hit_id)[0] == 200
    assert excluded.accept(hit_id)[0] == 403
    Worker(lab.server.endpoint_url, NEWCOMER).accepts(hit_id)
