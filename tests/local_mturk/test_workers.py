"""Simulated workers over HTTP: requirements by ActionsGuarded, and the assignment lifecycle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import START, Worker, create_hit, create_type, make_client

EXCLUDED = "AEXAMPLEWORKER0001"
NEWCOMER = "AEXAMPLEWORKER0002"


def _excluding_hit(client: Any, **requirement: Any) -> tuple[str, str]:
    type_id = create_type(client)
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId=EXCLUDED, IntegerValue=1, SendNotification=False
    )
    rule = {"QualificationTypeId": type_id, "Comparator": "DoesNotExist", **requirement}
    return type_id, create_hit(client, MaxAssignments=3, QualificationRequirements=[rule])["HITId"]


def test_discover_preview_and_accept_guarded_requirement(clocked: LocalMTurk, client_at: Any) -> None:
    _, hit_id = _excluding_hit(client_at, ActionsGuarded="DiscoverPreviewAndAccept")
    excluded, newcomer = Worker(clocked.endpoint_url, EXCLUDED), Worker(clocked.endpoint_url, NEWCOMER)
    assert excluded.discovers() == []
    assert excluded.preview(hit_id)[0] == 403
    assert excluded.accept(hit_id)[0] == 403
    assert newcomer.discovers() == [hit_id]
    assert newcomer.preview(hit_id)[0] == 200
    newcomer.accepts(hit_id)


@pytest.mark.parametrize(
    ("requirement", "discover", "preview"),
    [
        ({"ActionsGuarded": "Accept"}, True, True),
        ({}, True, True),  # without ActionsGuarded, a requirement guards Accept only
        ({"ActionsGuarded": "PreviewAndAccept"}, True, False),
        ({"RequiredToPreview": True}, True, False),
    ],
)
def test_each_guard_refuses_exactly_its_actions(
    clocked: LocalMTurk, client_at: Any, requirement: dict[str, Any], discover: bool, preview: bool
) -> None:
    _, hit_id = _excluding_hit(client_at, **requirement)
    excluded = Worker(clocked.endpoint_url, EXCLUDED)
    assert (hit_id in excluded.discovers()) is discover
    assert (excluded.preview(hit_id)[0] == 200) is preview
    assert excluded.accept(hit_id)[0] == 403


def test_a_revoked_qualification_no_longer_excludes(clocked: LocalMTurk, client_at: Any) -> None:
    type_id, hit_id = _excluding_hit(client_at, ActionsGuarded="DiscoverPreviewAndAccept")
    client_at.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=EXCLUDED)
    Worker(clocked.endpoint_url, EXCLUDED).accepts(hit_id)


@pytest.mark.parametrize(
    ("comparator", "values", "held", "allowed"),
    [
        ("Exists", [], 5, True),
        ("Exists", [], None, False),
        ("EqualTo", [5], 5, True),
        ("NotEqualTo", [5], 5, False),
        ("GreaterThan", [4], 5, True),
        ("LessThanOrEqualTo", [4], 5, False),
        ("In", [1, 5], 5, True),
        ("NotIn", [1, 5], 5, False),
        ("GreaterThan", [0], None, False),  # every comparator but DoesNotExist needs the qualification
    ],
)
def test_comparators(
    clocked: LocalMTurk, client_at: Any, comparator: str, values: list[int], held: int | None, allowed: bool
) -> None:
    type_id = create_type(client_at)
    if held is not None:
        client_at.associate_qualification_with_worker(
            QualificationTypeId=type_id, WorkerId=NEWCOMER, IntegerValue=held, SendNotification=False
        )
    rule: dict[str, Any] = {"QualificationTypeId": type_id, "Comparator": comparator}
    if values:
        rule["IntegerValues"] = values
    hit_id = create_hit(client_at, QualificationRequirements=[rule])["HITId"]
    assert (Worker(clocked.endpoint_url, NEWCOMER).accept(hit_id)[0] == 200) is allowed


def test_counts_and_status_through_accept_submit_return_and_abandon(
    clocked: LocalMTurk, client_at: Any
) -> None:
    hit_id = create_hit(client_at, MaxAssignments=2, AssignmentDurationInSeconds=600)["HITId"]
    one, two, three = (Worker(clocked.endpoint_url, f"AEXAMPLEWORKER000{n}") for n in (1, 2, 3))

    def counts() -> tuple[str, int, int, int]:
        hit = client_at.get_hit(HITId=hit_id)["HIT"]
        return (
            hit["HITStatus"],
            hit["NumberOfAssignmentsPending"],
            hit["NumberOfAssignmentsAvailable"],
            hit["NumberOfAssignmentsCompleted"],
        )

    first = one.accepts(hit_id)
    assert counts() == ("Assignable", 1, 1, 0)
    assert one.accept(hit_id)[0] == 409  # one assignment per worker per HIT
    second = two.accepts(hit_id)
    assert counts() == ("Unassignable", 2, 0, 0)
    assert three.accept(hit_id)[0] == 409
    assert two.give_back(second)[0] == 200
    assert counts() == ("Assignable", 1, 1, 0)
    third = three.accepts(hit_id)
    assert (
        client_at.list_assignments_for_hit(HITId=hit_id)["NumResults"] == 0
    )  # work in progress is not listed
    assert one.submit(first, "<QuestionFormAnswers/>")[0] == 200
    assert counts() == ("Unassignable", 1, 0, 0)
    clocked.set_clock(START + timedelta(minutes=11))  # worker three lets the assignment's duration run out
    assert counts() == ("Assignable", 0, 1, 0)
    assert three.submit(third)[0] == 409
    listed = client_at.list_assignments_for_hit(HITId=hit_id)["Assignments"]
    assert [(a["WorkerId"], a["AssignmentStatus"]) for a in listed] == [("AEXAMPLEWORKER0001", "Submitted")]
    assert listed[0]["Answer"] == "<QuestionFormAnswers/>"


def test_submitted_work_is_auto_approved(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id = create_hit(client_at, AutoApprovalDelayInSeconds=3600)["HITId"]
    worker = Worker(clocked.endpoint_url, NEWCOMER)
    assignment = worker.accepts(hit_id)
    worker.submit(assignment)
    assert client_at.get_assignment(AssignmentId=assignment)["Assignment"]["AssignmentStatus"] == "Submitted"
    clocked.set_clock(START + timedelta(hours=2))
    got = client_at.get_assignment(AssignmentId=assignment)
    assert got["Assignment"]["AssignmentStatus"] == "Approved"
    assert got["HIT"]["NumberOfAssignmentsCompleted"] == 1


def test_a_blocked_worker_cannot_discover_or_accept(clocked: LocalMTurk, client_at: Any) -> None:
    hit_id = create_hit(client_at)["HITId"]
    client_at.create_worker_block(WorkerId=NEWCOMER, Reason="spam")
    worker = Worker(clocked.endpoint_url, NEWCOMER)
    assert worker.discovers() == []
    assert worker.accept(hit_id)[0] == 403
    client_at.delete_worker_block(WorkerId=NEWCOMER)
    worker.accepts(hit_id)


def test_a_seeded_worker_still_on_an_assignment_is_pending_until_it_is_abandoned(tmp_path: Any) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "hits:\n"
        "  - hit_id: 3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "    created: 2026-01-05T12:00:00Z\n"
        "    max_assignments: 1\n"
        "    assignment_duration_seconds: 600\n"
        "    assignments:\n"
        "      - worker_id: AEXAMPLEWORKER0001\n"
        "        status: Accepted\n"
        "        accepted: 2026-01-05T12:01:00Z\n"
    )
    with LocalMTurk(seed_path=seed, clock=START + timedelta(minutes=5)) as emulator:
        client = make_client(emulator.endpoint_url)
        hit = client.get_hit(HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")["HIT"]
        assert (hit["HITStatus"], hit["NumberOfAssignmentsPending"]) == ("Unassignable", 1)
        assert Worker(emulator.endpoint_url, NEWCOMER).accept("3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")[0] == 409
        emulator.set_clock(START + timedelta(minutes=12))  # past 12:01 + 600 s
        hit = client.get_hit(HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")["HIT"]
        assert (hit["HITStatus"], hit["NumberOfAssignmentsAvailable"]) == ("Assignable", 1)
        Worker(emulator.endpoint_url, NEWCOMER).accepts("3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
