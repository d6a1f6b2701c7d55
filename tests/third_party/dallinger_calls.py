"""Dallinger's MTurk service (``dallinger/mturk.py``), unmodified, against a running local MTurk.

Runs in a venv of its own, with Dallinger installed without its dependencies: ``dallinger/mturk.py``
needs only boto3, while the package's ``__init__`` imports the whole Dallinger application (its
database, web server and Heroku tooling). So the module file is loaded on its own, and the one
Dallinger function it imports lazily, ``dallinger.recruiters.handle_and_raise_recruitment_error``
(which logs, then raises the exception it is given), is provided as a function that raises it.
Dallinger hard-codes MTurk's endpoints, so, as for psiTurk, ``Session.client`` is given the local
endpoint; for SNS, which the local MTurk does not serve, ``disable_hit`` gets a stand-in that
has no subscription to cancel, as Dallinger's own tests do. Nothing of Dallinger's code changes.

The expectations are those of Dallinger's tests against the MTurk sandbox
(``tests/test_mturk.py``: ``TestMTurkService``, ``TestMTurkServiceWithRequesterAndWorker``) and
of the errors its code tells apart, which it learned from MTurk's answers. Prints one JSON line
per call tried, ``{"call", "operations", "ok", "detail"}``; exits 1 if any call misbehaved.
"""

from __future__ import annotations

import datetime
import importlib.util
import sys
import sysconfig
import types
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from client_harness import Results, redirect_boto3
from client_harness import worker as local_worker

ENDPOINT = sys.argv[1]
redirect_boto3(ENDPOINT)


def _load_dallinger_mturk() -> types.ModuleType:
    def handle_and_raise_recruitment_error(ex: Exception) -> None:
        raise ex

    package = types.ModuleType("dallinger")
    package.__path__ = []
    recruiters = types.ModuleType("dallinger.recruiters")
    recruiters.handle_and_raise_recruitment_error = handle_and_raise_recruitment_error  # type: ignore[attr-defined]
    package.recruiters = recruiters  # type: ignore[attr-defined]
    sys.modules.update({"dallinger": package, "dallinger.recruiters": recruiters})
    path = Path(sysconfig.get_paths()["purelib"]) / "dallinger" / "mturk.py"
    spec = importlib.util.spec_from_file_location("dallinger.mturk", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dallinger.mturk"] = module
    spec.loader.exec_module(module)
    return module


dm = _load_dallinger_mturk()
RESULTS = Results()
record = RESULTS.record


def raises(action: Callable[[], Any], kind: type[BaseException]) -> tuple[bool, str]:
    """Whether ``action`` raised exactly ``kind`` (not a subclass Dallinger treats differently)."""
    try:
        action()
    except Exception as error:
        return type(error) is kind, f"{type(error).__name__}: {error}"
    return False, "no error"


def worker(worker_id: str, method: str, tail: str) -> dict[str, Any]:
    return local_worker(ENDPOINT, worker_id, method, tail)


class NoSubscriptions:
    """SNS as Dallinger's tests give it: no notification subscription to cancel."""

    def cancel_subscription(self, experiment_id: str) -> None:
        raise dm.NonExistentSubscription(f"no topic for {experiment_id}")


def qualification_calls(service: Any) -> str:
    name = "dallinger-local:PRIORPARTICIPANT"
    qtype = service.create_qualification_type(name, "***TEST SUITE QUALIFICATION***", "Active")
    record(
        "create_qualification_type",
        "CreateQualificationType",
        isinstance(qtype["id"], str) and qtype["status"] == "Active",
        qtype,
    )
    ok, detail = raises(
        lambda: service.create_qualification_type(name, "desc", "Active"), dm.DuplicateQualificationNameError
    )
    record("create_qualification_type, same name", "CreateQualificationType (refused)", ok, detail)
    found = service.get_qualification_type_by_name(name)
    record(
        "get_qualification_type_by_name", "ListQualificationTypes (Query, upper-cased)", found == qtype, found
    )
    service.max_wait_secs = 0
    missing = service.get_qualification_type_by_name("nonsense")
    record("get_qualification_type_by_name, no match", "ListQualificationTypes", missing is None, missing)
    shorter = service.create_qualification_type(name[:-1], "***TEST SUITE QUALIFICATION***", "Active")
    exact = service.get_qualification_type_by_name(name[:-1])
    record(
        "get_qualification_type_by_name, two matches, one exact",
        "ListQualificationTypes",
        exact is not None and exact["id"] == shorter["id"],
        exact,
    )
    ok, detail = raises(lambda: service.get_qualification_type_by_name(name[:-2]), dm.MTurkServiceException)
    record("get_qualification_type_by_name, two matches, none exact", "ListQualificationTypes", ok, detail)
    record(
        "dispose_qualification_type",
        "DeleteQualificationType",
        service.dispose_qualification_type(shorter["id"]),
    )

    qid, someone = qtype["id"], "AEXAMPLEWORKER0001"
    assigned = service.assign_qualification(qid, someone, score=2)
    record(
        "assign_qualification, current_qualification_score",
        "AssociateQualificationWithWorker, GetQualificationScore",
        assigned and service.current_qualification_score(qid, someone) == 2,
    )
    service.assign_qualification(qid, someone, score=3)
    record(
        "assign_qualification again: the value changes",
        "AssociateQualificationWithWorker, GetQualificationScore",
        service.current_qualification_score(qid, someone) == 3,
    )
    ok, detail = raises(
        lambda: service.current_qualification_score("NONEXISTENT", someone), dm.WorkerLacksQualification
    )
    record("current_qualification_score, unknown type", "GetQualificationScore (refused)", ok, detail)
    ok, detail = raises(
        lambda: service.current_qualification_score(qid, "AEXAMPLEWORKER0009"), dm.WorkerLacksQualification
    )
    record("current_qualification_score, never granted", "GetQualificationScore (refused)", ok, detail)
    workers = list(service.get_workers_with_qualification(qid))
    record(
        "get_workers_with_qualification",
        "ListWorkersWithQualificationType",
        workers == [{"id": someone, "score": 3}],
        workers,
    )
    record(
        "revoke_qualification",
        "DisassociateQualificationFromWorker",
        service.revoke_qualification(qid, someone),
    )
    ok, detail = raises(lambda: service.current_qualification_score(qid, someone), dm.RevokedQualification)
    record("current_qualification_score, revoked", "GetQualificationScore (refused)", ok, detail)
    named = service.current_named_qualification_score(name, someone)
    record(
        "current_named_qualification_score, revoked",
        "ListQualificationTypes, GetQualificationScore",
        named["score"] is None,
        named,
    )
    raised = service.increment_named_qualification_score(name, someone)
    record(
        "increment_named_qualification_score, revoked: starts again at 1",
        "GetQualificationScore, AssociateQualificationWithWorker",
        raised["score"] == 1 and service.current_qualification_score(qid, someone) == 1,
        raised,
    )
    ok, detail = raises(
        lambda: service.current_named_qualification_score(name, "nonsense"), dm.MTurkServiceException
    )
    record(
        "current_named_qualification_score, invalid worker ID",
        "GetQualificationScore (ValidationException)",
        ok,
        detail,
    )
    ok, detail = raises(
        lambda: service.increment_named_qualification_score("NONEXISTENT", someone),
        dm.QualificationNotFoundException,
    )
    record("increment_named_qualification_score, no such name", "ListQualificationTypes", ok, detail)
    return str(qid)


def hit_calls(service: Any, qid: str) -> None:
    config = {
        "experiment_id": "some-experiment-id",
        "title": "Test Title",
        "description": "***TEST SUITE HIT***",
        "keywords": ["testkw1", "testkw2"],
        "reward": 0.01,
        "duration_hours": 0.25,
        "lifetime_days": 1,
        "question": dm.MTurkQuestions.external(ad_url="https://www.example.com/ad"),
        "max_assignments": 2,
        "annotation": "test-exp-id",
        "qualifications": [
            dm.MTurkQualificationRequirements.min_approval(95),
            dm.MTurkQualificationRequirements.restrict_to_countries(["US"]),
            dm.MTurkQualificationRequirements.must_not_have(qid),
        ],
        "do_subscribe": False,
    }
    hit = service.create_hit(**config)
    record(
        "create_hit (a DoesNotExist requirement on the qualification)",
        "CreateHITType, CreateHITWithHITType",
        hit["status"] == "Assignable"
        and hit["max_assignments"] == 2
        and hit["annotation"] == "test-exp-id"
        and hit["qualification_type_ids"] == ["000000000000000000L0", "00000000000000000071", qid],
        hit,
    )
    record("get_hit", "GetHIT", service.get_hit(hit["id"]) == hit)
    other = service.create_hit(**{**config, "title": "HIT Two"})
    listed = [h["id"] for h in service.get_hits()]
    two = [h["id"] for h in service.get_hits(lambda h: "Two" in h["title"])]
    record(
        "get_hits, with and without a filter", "ListHITs", hit["id"] in listed and two == [other["id"]], two
    )
    updated = service.extend_hit(hit["id"], number=1, duration_hours=0.25)
    record(
        "extend_hit",
        "CreateAdditionalAssignmentsForHIT, GetHIT, UpdateExpirationForHIT",
        updated["max_assignments"] == 3
        and updated["expiration"] >= hit["expiration"] + datetime.timedelta(hours=0.24),
        updated,
    )
    ok, detail = raises(
        lambda: service.extend_hit("dud", number=1, duration_hours=0.25), dm.MTurkServiceException
    )
    record("extend_hit, unknown HIT", "CreateAdditionalAssignmentsForHIT (refused)", ok, detail)

    # The worker side: the excluded worker (who holds the qualification) cannot take the HIT.
    try:
        worker("AEXAMPLEWORKER0001", "POST", f"hits/{hit['id']}/accept")
        record("an excluded worker accepts the HIT", "(worker side)", False, "accepted")
    except urllib.error.HTTPError as error:
        record("an excluded worker accepts the HIT: refused", "(worker side)", error.code == 403, error.code)
    assignment_id = worker("AEXAMPLEWORKER0002", "POST", f"hits/{hit['id']}/accept")["assignment_id"]
    worker("AEXAMPLEWORKER0002", "POST", f"assignments/{assignment_id}/submit")
    # Dallinger registers its HIT types with AutoApprovalDelayInSeconds=0: MTurk approves a
    # submitted assignment at once, so approving it again is refused in MTurk's words.
    assignment = service.get_assignment(assignment_id)
    record(
        "get_assignment (approved at once: auto-approval delay 0)",
        "GetAssignment",
        assignment
        == {
            "id": assignment_id,
            "status": "Approved",
            "hit_id": hit["id"],
            "worker_id": "AEXAMPLEWORKER0002",
        },
        assignment,
    )
    record(
        "get_assignment, unknown",
        "GetAssignment (refused)",
        service.get_assignment("3NOSUCHASSIGNMENT00000000000") is None,
    )
    ok, detail = raises(lambda: service.approve_assignment(assignment_id), dm.MTurkServiceException)
    record(
        "approve_assignment, already approved",
        "ApproveAssignment (refused), GetAssignment",
        ok and "This operation can be called with a status of: Submitted" in detail,
        detail,
    )
    record("grant_bonus", "GetAssignment, SendBonus", service.grant_bonus(assignment_id, 0.5, "Thank you"))

    service.sns = NoSubscriptions()
    record(
        "disable_hit",
        "UpdateExpirationForHIT, DeleteHIT",
        service.disable_hit(hit["id"], "some-experiment-id"),
    )
    ok, detail = raises(lambda: service.disable_hit("dud", "some-experiment-id"), dm.MTurkServiceException)
    record("disable_hit, unknown HIT", "UpdateExpirationForHIT (refused)", ok, detail)
    record("expire_hit", "UpdateExpirationForHIT", service.expire_hit(other["id"]))


def main() -> int:
    service = dm.MTurkService("AKIDDALLINGER", "fake-secret", "us-east-1", sandbox=True)
    record("account_balance", "GetAccountBalance", isinstance(service.account_balance(), float))
    record("check_credentials", "GetAccountBalance", service.check_credentials() is True)
    qid = qualification_calls(service)
    hit_calls(service, qid)
    record("dispose_qualification_type", "DeleteQualificationType", service.dispose_qualification_type(qid))
    return RESULTS.status


if __name__ == "__main__":
    try:
        status = main()
    except Exception as error:
        record("(the run stopped)", "-", False, f"{type(error).__name__}: {error}")
        status = 1
    sys.exit(status)
