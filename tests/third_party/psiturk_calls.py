"""psiTurk's MTurk services, unmodified, against a running local MTurk.

Runs in psiTurk's own environment (psiTurk pins boto3 1.9 and click 7, which the project
cannot share), so it imports nothing of the project but its folder's ``client_harness``
(boto3 and the standard library only): ``run_clients.py`` starts the local
MTurk and runs this file with psiTurk's Python, the endpoint URL as its argument. It
prints one JSON line per psiTurk call tried, ``{"call", "operations", "ok", "detail"}``,
and exits 1 if any call did not behave as on MTurk.

psiTurk hard-codes MTurk's endpoints, so the only thing changed is where boto3 sends
its requests: ``Session.client`` is given the local endpoint. psiTurk's code runs as
shipped.
"""

from __future__ import annotations

import configparser
import datetime
import sys
import urllib.error
import urllib.request
from typing import Any

from client_harness import Results, redirect_boto3
from client_harness import worker as local_worker

ENDPOINT = sys.argv[1]
redirect_boto3(ENDPOINT)

from psiturk.amt_services import MTurkServices  # noqa: E402 - after the redirect

RESULTS = Results()
record = RESULTS.record


def worker(worker_id: str, method: str, tail: str) -> dict[str, Any]:
    return local_worker(ENDPOINT, worker_id, method, tail)


def main() -> int:
    config = configparser.ConfigParser()
    config["AWS Access"] = {"aws_access_key_id": "AKIDPSITURK", "aws_secret_access_key": "fake-secret"}
    services = MTurkServices(config=config, mode="sandbox")
    record("MTurkServices() login check", "GetAccountBalance", services.valid_login)
    balance = services.check_balance()
    record("check_balance", "GetAccountBalance", balance.success and balance.data == "10000.00", balance.data)

    blocked = services.mtc.create_qualification_type(
        Name="Prior participant", Description="Took part before", QualificationTypeStatus="Active"
    )["QualificationType"]["QualificationTypeId"]
    services.mtc.associate_qualification_with_worker(
        QualificationTypeId=blocked, WorkerId="AEXAMPLEWORKER0001", IntegerValue=1, SendNotification=False
    )
    listed = services.list_qualification_types()
    record(
        "list_qualification_types",
        "ListQualificationTypes (paginated)",
        listed.success and [q["QualificationTypeId"] for q in listed.data] == [blocked],
        listed.data if not listed.success else len(listed.data),
    )
    hit_config = {
        "approve_requirement": 95,
        "number_hits_approved": 0,
        "require_master_workers": False,
        "us_only": True,
        "require_qualification_ids": [],
        "block_qualification_ids": [blocked],
        "advanced_qualifications": [],
        "title": "Trust game",
        "description": "A short economic game",
        "reward": 0.5,
        "duration": datetime.timedelta(minutes=30),
        "keywords": "economics, game",
        "ad_location": "https://example.org/ad",
        "lifetime": datetime.timedelta(hours=24),
        "max_assignments": 2,
    }
    created = services.create_hit(hit_config)
    record(
        "create_hit",
        "CreateHITType, CreateHITWithHITType",
        created.success,
        getattr(created, "exception", ""),
    )
    hit_id = created.data["HITId"]
    hits = services.get_all_hits()
    record(
        "get_all_hits",
        "ListHITs (paginated)",
        hits.success and [h.options["hitid"] for h in hits.data] == [hit_id],
    )
    hit = services.get_hit(hit_id)
    record("get_hit", "GetHIT", hit.success and hit.data.options["status"] == "Assignable", hit.data)
    # psiTurk's get_hit_status indexes the MTurkHIT that get_hit returns, which is not
    # subscriptable: it fails inside psiTurk, as it does against MTurk itself.
    status = services.get_hit_status(hit_id)
    record(
        "get_hit_status (fails inside psiTurk, on MTurk too)",
        "GetHIT",
        not status.success and isinstance(status.exception, TypeError),
        getattr(status, "exception", ""),
    )

    # The block on the prior participants' qualification keeps AEXAMPLEWORKER0001 out.
    try:
        worker("AEXAMPLEWORKER0001", "POST", f"hits/{hit_id}/accept")
        record("excluded worker refused (worker side)", "-", False, "accepted")
    except urllib.error.HTTPError as refused:
        record("excluded worker refused (worker side)", "-", refused.code == 403, refused.code)
    first = worker("AEXAMPLEWORKER0002", "POST", f"hits/{hit_id}/accept")["assignment_id"]
    second = worker("AEXAMPLEWORKER0003", "POST", f"hits/{hit_id}/accept")["assignment_id"]
    hit = services.get_hit(hit_id)
    record(
        "get_hit (two workers on it)",
        "GetHIT",
        hit.success
        and hit.data.options["number_assignments_pending"] == 2
        and hit.data.options["status"] == "Unassignable",
        hit.data.options if hit.success else hit.exception,
    )
    extended = services.extend_hit(hit_id, assignments_increment=1, expiration_increment=60)
    after = services.get_hit(hit_id).data.options
    record(
        "extend_hit",
        "CreateAdditionalAssignmentsForHIT, GetHIT, UpdateExpirationForHIT",
        extended.success and after["max_assignments"] == 3 and after["number_assignments_available"] == 1,
        after,
    )
    for assignment, who in ((first, "AEXAMPLEWORKER0002"), (second, "AEXAMPLEWORKER0003")):
        worker(who, "POST", f"assignments/{assignment}/submit")
    assignments = services.get_assignments(hit_ids=[hit_id])
    record(
        "get_assignments",
        "ListAssignmentsForHIT (paginated)",
        assignments.success
        and sorted(a["assignmentId"] for a in assignments.data) == sorted([first, second]),
        assignments.data if assignments.success else assignments.exception,
    )
    one = services.get_assignment(first)
    record("get_assignment", "GetAssignment", one.success and one.data["status"] == "Submitted", one.data)
    approved = services.approve_assignment(first)
    record("approve_assignment", "ApproveAssignment", approved.success, getattr(approved, "exception", ""))
    bonus = services.bonus_assignment(first, None, 1.25, reason="thanks")
    balance = services.check_balance()
    record(
        "bonus_assignment",
        "GetAssignment, SendBonus",
        bonus.success and balance.data == "9998.75",
        getattr(bonus, "exception", balance.data),
    )
    rejected = services.reject_assignment(second)
    record("reject_assignment", "RejectAssignment", rejected.success, getattr(rejected, "exception", ""))
    unrejected = services.unreject_assignment(second)
    record(
        "unreject_assignment",
        "ApproveAssignment (OverrideRejection)",
        unrejected.success and services.get_assignment(second).data["status"] == "Approved",
        getattr(unrejected, "exception", ""),
    )
    early = services.delete_hit(hit_id)
    record(
        "delete_hit while assignable (refused)",
        "DeleteHIT",
        not early.success,
        getattr(early, "exception", ""),
    )
    expired = services.expire_hit(hit_id)
    status = services.get_hit(hit_id).data.options["status"]
    record("expire_hit", "UpdateExpirationForHIT, GetHIT", expired.success and status == "Reviewable", status)
    deleted = services.delete_hit(hit_id)
    gone = services.get_hit(hit_id)
    record("delete_hit", "DeleteHIT", deleted.success and not gone.success, getattr(deleted, "exception", ""))
    return RESULTS.status


if __name__ == "__main__":
    sys.exit(main())
