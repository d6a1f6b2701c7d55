"""Deciding work and paying for it, through boto3: assignments, review status, disposal,
bonuses, balance, messages, blocks, qualification requests and notification settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import START, Worker, create_hit, create_type, error_of, make_client

ALICE = "AEXAMPLEWORKER0001"
BOB = "AEXAMPLEWORKER0002"


def _submitted(clocked: LocalMTurk, client: Any, *workers: str, **hit: Any) -> tuple[str, list[str]]:
    hit_id = create_hit(client, MaxAssignments=len(workers), **hit)["HITId"]
    assignments = []
    for worker_id in workers:
        worker = Worker(clocked.endpoint_url, worker_id)
        assignment = worker.accepts(hit_id)
        assert worker.submit(assignment)[0] == 200
        assignments.append(assignment)
    return hit_id, assignments


def turk_code(call: Any) -> str:
    return str(error_of(call).response["TurkErrorCode"])


def test_approve_and_reject_assignments(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id, (first, second) = _submitted(clocked, client_at, ALICE, BOB)
    client_at.approve_assignment(AssignmentId=first, RequesterFeedback="thanks")
    client_at.reject_assignment(AssignmentId=second, RequesterFeedback="no answer")
    got = client_at.get_assignment(AssignmentId=first)
    assert got["Assignment"]["AssignmentStatus"] == "Approved"
    assert got["Assignment"]["RequesterFeedback"] == "thanks"
    assert got["HIT"]["HITId"] == hit_id
    assert got["HIT"]["NumberOfAssignmentsCompleted"] == 2
    assert client_at.get_assignment(AssignmentId=second)["Assignment"]["AssignmentStatus"] == "Rejected"
    assert turk_code(lambda: client_at.approve_assignment(AssignmentId=first)) == (
        "AWS.MechanicalTurk.InvalidAssignmentState"
    )
    assert turk_code(lambda: client_at.reject_assignment(AssignmentId=first, RequesterFeedback="x")) == (
        "AWS.MechanicalTurk.InvalidAssignmentState"
    )
    assert turk_code(lambda: client_at.approve_assignment(AssignmentId=second)) == (
        "AWS.MechanicalTurk.InvalidAssignmentState"
    )
    client_at.approve_assignment(AssignmentId=second, OverrideRejection=True)
    assert client_at.get_assignment(AssignmentId=second)["Assignment"]["AssignmentStatus"] == "Approved"


def test_get_assignment_of_work_in_progress_or_unknown_fails(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id = create_hit(client_at)["HITId"]
    in_progress = Worker(clocked.endpoint_url, ALICE).accepts(hit_id)
    for assignment in (in_progress, "3NOSUCHASSIGNMENT"):
        assert turk_code(lambda a=assignment: client_at.get_assignment(AssignmentId=a)) == (
            "AWS.MechanicalTurk.AssignmentDoesNotExist"
        )


def test_delete_hit_is_refused_until_it_is_reviewable_and_decided(
    clocked: LocalMTurk, client_at: Any
) -> None:
    open_hit = create_hit(client_at)["HITId"]
    assert turk_code(lambda: client_at.delete_hit(HITId=open_hit)) == "AWS.MechanicalTurk.InvalidHITState"
    hit_id, (assignment,) = _submitted(clocked, client_at, ALICE)
    assert client_at.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"
    # Reviewable, but a submitted assignment is not yet approved or rejected.
    assert turk_code(lambda: client_at.delete_hit(HITId=hit_id)) == "AWS.MechanicalTurk.InvalidHITState"
    client_at.approve_assignment(AssignmentId=assignment)
    client_at.delete_hit(HITId=hit_id)
    assert turk_code(lambda: client_at.get_hit(HITId=hit_id)) == "AWS.MechanicalTurk.HITDoesNotExist"
    assert hit_id not in [h["HITId"] for h in client_at.list_hits()["HITs"]]


def test_review_status_and_list_reviewable_hits(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id, _ = _submitted(clocked, client_at, ALICE)
    create_hit(client_at)  # still assignable: not listed
    assert [h["HITId"] for h in client_at.list_reviewable_hits()["HITs"]] == [hit_id]
    client_at.update_hit_review_status(HITId=hit_id, Revert=False)
    assert client_at.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewing"
    assert client_at.list_reviewable_hits()["NumResults"] == 0
    assert [h["HITId"] for h in client_at.list_reviewable_hits(Status="Reviewing")["HITs"]] == [hit_id]
    assert turk_code(lambda: client_at.update_hit_review_status(HITId=hit_id, Revert=False)) == (
        "AWS.MechanicalTurk.InvalidHITState"
    )
    client_at.update_hit_review_status(HITId=hit_id, Revert=True)
    assert client_at.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"


def test_update_hit_type_of_hit_and_list_hits_for_qualification_type(client_at: Any) -> None:
    type_id = create_type(client_at)
    hit = create_hit(client_at)
    new_type = client_at.create_hit_type(
        AssignmentDurationInSeconds=900,
        Reward="1.00",
        Title="Trust game, second wave",
        Description="A short economic game",
        QualificationRequirements=[{"QualificationTypeId": type_id, "Comparator": "DoesNotExist"}],
    )["HITTypeId"]
    assert client_at.list_hits_for_qualification_type(QualificationTypeId=type_id)["NumResults"] == 0
    client_at.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=new_type)
    got = client_at.get_hit(HITId=hit["HITId"])["HIT"]
    assert (got["HITTypeId"], got["Reward"], got["Title"]) == (new_type, "1.00", "Trust game, second wave")
    listed = client_at.list_hits_for_qualification_type(QualificationTypeId=type_id)["HITs"]
    assert [h["HITId"] for h in listed] == [hit["HITId"]]
    assert turk_code(lambda: client_at.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId="3NOSUCH")) == (
        "AWS.MechanicalTurk.HITTypeDoesNotExist"
    )


def test_bonuses_come_off_the_balance_and_are_listed(clocked: LocalMTurk, client_at: Any) -> None:
    assert client_at.get_account_balance()["AvailableBalance"] == "10000.00"
    hit_id, (assignment,) = _submitted(clocked, client_at, ALICE)
    bonus = {"WorkerId": ALICE, "BonusAmount": "1.25", "AssignmentId": assignment, "Reason": "great work"}
    client_at.send_bonus(**bonus, UniqueRequestToken="bonus-1")
    assert turk_code(lambda: client_at.send_bonus(**bonus, UniqueRequestToken="bonus-1")) == (
        "AWS.MechanicalTurk.DuplicateRequest"
    )
    assert client_at.get_account_balance()["AvailableBalance"] == "9998.75"
    for listing in (
        client_at.list_bonus_payments(HITId=hit_id),
        client_at.list_bonus_payments(AssignmentId=assignment),
    ):
        assert [(b["WorkerId"], b["BonusAmount"]) for b in listing["BonusPayments"]] == [(ALICE, "1.25")]
    assert turk_code(lambda: client_at.send_bonus(**{**bonus, "WorkerId": BOB})) == (
        "AWS.MechanicalTurk.InvalidParameterValue"
    )
    assert turk_code(lambda: client_at.send_bonus(**{**bonus, "BonusAmount": "0.00"})) == (
        "AWS.MechanicalTurk.InvalidParameterValue"
    )
    assert turk_code(lambda: client_at.list_bonus_payments()) == "AWS.MechanicalTurk.InvalidParameterValue"


def test_notify_workers_reaches_only_workers_who_worked_for_you(clocked: LocalMTurk, client_at: Any) -> None:
    _submitted(clocked, client_at, ALICE)
    answer = client_at.notify_workers(Subject="Follow-up", MessageText="Thanks!", WorkerIds=[ALICE, BOB])
    assert [
        (f["WorkerId"], f["NotifyWorkersFailureCode"]) for f in answer["NotifyWorkersFailureStatuses"]
    ] == [(BOB, "HardFailure")]
    messages = [n for n in clocked.state()["notifications"] if n["kind"] == "message"]
    assert [(m["worker_id"], m["subject"]) for m in messages] == [(ALICE, "Follow-up")]


def test_worker_blocks_are_listed_and_deleted(client_at: Any) -> None:
    client_at.create_worker_block(WorkerId=BOB, Reason="spam")
    assert client_at.list_worker_blocks()["WorkerBlocks"] == [{"WorkerId": BOB, "Reason": "spam"}]
    client_at.delete_worker_block(WorkerId=BOB)
    assert client_at.list_worker_blocks()["NumResults"] == 0
    assert turk_code(lambda: client_at.delete_worker_block(WorkerId=BOB)) == (
        "AWS.MechanicalTurk.WorkerBlockDoesNotExist"
    )


def test_qualification_requests_are_listed_accepted_and_rejected(clocked: LocalMTurk, client_at: Any) -> None:
    type_id = create_type(client_at)
    for worker_id in (ALICE, BOB):
        status, body = Worker(clocked.endpoint_url, worker_id).request_qualification(type_id)
        assert status == 200 and body["granted"] is False, body
    requests = client_at.list_qualification_requests(QualificationTypeId=type_id)["QualificationRequests"]
    by_worker = {r["WorkerId"]: r["QualificationRequestId"] for r in requests}
    assert sorted(by_worker) == [ALICE, BOB]
    client_at.accept_qualification_request(QualificationRequestId=by_worker[ALICE], IntegerValue=3)
    client_at.reject_qualification_request(QualificationRequestId=by_worker[BOB], Reason="not eligible")
    score = client_at.get_qualification_score(QualificationTypeId=type_id, WorkerId=ALICE)["Qualification"]
    assert (score["Status"], score["IntegerValue"]) == ("Granted", 3)
    assert client_at.list_qualification_requests()["NumResults"] == 0
    assert turk_code(
        lambda: client_at.accept_qualification_request(QualificationRequestId=by_worker[BOB])
    ) == ("AWS.MechanicalTurk.QualificationRequestDoesNotExist")


def test_an_auto_granted_type_grants_on_request(clocked: LocalMTurk, client_at: Any) -> None:
    type_id = create_type(client_at, AutoGranted=True, AutoGrantedValue=7)
    status, body = Worker(clocked.endpoint_url, ALICE).request_qualification(type_id)
    assert status == 200 and body == {"granted": True}
    score = client_at.get_qualification_score(QualificationTypeId=type_id, WorkerId=ALICE)["Qualification"]
    assert score["IntegerValue"] == 7


def test_delete_qualification_type_stops_new_use_but_keeps_grants(client_at: Any) -> None:
    type_id = create_type(client_at)
    client_at.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId=ALICE, SendNotification=False
    )
    client_at.delete_qualification_type(QualificationTypeId=type_id)
    assert client_at.get_qualification_type(QualificationTypeId=type_id)["QualificationType"][
        "QualificationTypeStatus"
    ] == ("Disposing")
    listed = client_at.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True)
    assert type_id not in [t["QualificationTypeId"] for t in listed["QualificationTypes"]]
    requirement = {"QualificationTypeId": type_id, "Comparator": "DoesNotExist"}
    assert turk_code(lambda: create_hit(client_at, QualificationRequirements=[requirement])) == (
        "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    )
    score = client_at.get_qualification_score(QualificationTypeId=type_id, WorkerId=ALICE)["Qualification"]
    assert score["Status"] == "Granted"


def test_notification_settings_and_test_event(clocked: LocalMTurk, client_at: Any) -> None:
    hit_type = client_at.create_hit_type(
        AssignmentDurationInSeconds=600,
        Reward="0.50",
        Title="Trust game",
        Description="A short economic game",
    )["HITTypeId"]
    notification = {
        "Destination": "lab@example.org",
        "Transport": "Email",
        "Version": "2006-05-05",
        "EventTypes": ["AssignmentSubmitted"],
    }
    assert turk_code(lambda: client_at.update_notification_settings(HITTypeId=hit_type, Active=True)) == (
        "AWS.MechanicalTurk.InvalidParameterValue"
    )
    client_at.update_notification_settings(HITTypeId=hit_type, Notification=notification, Active=True)
    client_at.update_notification_settings(HITTypeId=hit_type, Active=False)
    assert clocked.state()["entries"]["notification-setting"][hit_type]["active"] is False
    client_at.send_test_event_notification(Notification=notification, TestEventType="AssignmentSubmitted")
    bad = {**notification, "Destination": "not-an-address"}
    assert turk_code(
        lambda: client_at.send_test_event_notification(Notification=bad, TestEventType="AssignmentSubmitted")
    ) == ("AWS.MechanicalTurk.InvalidParameterValue")


def test_review_policy_results_and_file_upload_url(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id, (assignment,) = _submitted(clocked, client_at, ALICE)
    results = client_at.list_review_policy_results_for_hit(HITId=hit_id)
    assert results["HITId"] == hit_id and "AssignmentReviewReport" not in results
    assert turk_code(
        lambda: client_at.get_file_upload_url(AssignmentId=assignment, QuestionIdentifier="upload")
    ) == ("AWS.MechanicalTurk.InvalidParameterValue")


def test_state_survives_a_restart_with_bonuses_blocks_and_workers(tmp_path: Any) -> None:
    path = tmp_path / "state.json"
    with LocalMTurk(state_path=path, clock=START) as first:
        client = make_client(first.endpoint_url)
        hit_id, (assignment,) = _submitted(first, client, ALICE)
        client.send_bonus(WorkerId=ALICE, BonusAmount="2.00", AssignmentId=assignment, Reason="thanks")
        client.create_worker_block(WorkerId=BOB, Reason="spam")
    with LocalMTurk(state_path=path, clock=START + timedelta(minutes=1)) as second:
        client = make_client(second.endpoint_url)
        assert client.get_account_balance()["AvailableBalance"] == "9998.00"
        assert client.list_worker_blocks()["WorkerBlocks"] == [{"WorkerId": BOB, "Reason": "spam"}]
        assert client.get_assignment(AssignmentId=assignment)["Assignment"]["AssignmentStatus"] == "Submitted"
        assert client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"
