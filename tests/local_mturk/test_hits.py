"""HIT types, HITs and assignments: creation, status, listing, pages and disposal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import code, create_hit, create_type, error_of, make_client

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SEED = """\
hits:
  - hit_id: 3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA
    created: 2026-01-05T12:00:00Z
    title: Trust game
    max_assignments: 3
    assignments:
      - worker_id: A1AAAAAAAAAAAA
        status: Approved
      - worker_id: A2AAAAAAAAAAAA
        status: Rejected
      - worker_id: A3AAAAAAAAAAAA
"""
SEEDED_HIT = "3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[LocalMTurk]:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    with LocalMTurk(seed_path=seed, clock=START + timedelta(hours=1)) as emulator:
        yield emulator


def test_create_hit_and_get_it(client: Any) -> None:
    type_id = create_type(client)
    requirement = {"QualificationTypeId": type_id, "Comparator": "DoesNotExist", "ActionsGuarded": "Accept"}
    hit = create_hit(client, MaxAssignments=5, QualificationRequirements=[requirement])
    assert hit["HITStatus"] == "Assignable"
    assert hit["NumberOfAssignmentsAvailable"] == 5
    assert hit["QualificationRequirements"] == [requirement]
    assert (hit["Expiration"] - hit["CreationTime"]).total_seconds() == pytest.approx(3600, abs=0.01)
    got = client.get_hit(HITId=hit["HITId"])["HIT"]
    assert got["HITId"] == hit["HITId"]
    assert got["HITTypeId"] == hit["HITTypeId"]
    assert got["Reward"] == "0.50"


def test_requirement_on_an_unknown_type_is_refused(client: Any) -> None:
    requirement = {"QualificationTypeId": "3NOSUCHTYPE", "Comparator": "DoesNotExist"}
    error = error_of(lambda: create_hit(client, QualificationRequirements=[requirement]))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    locale = {
        "QualificationTypeId": "00000000000000000071",
        "Comparator": "EqualTo",
        "LocaleValues": [{"Country": "US"}],
    }
    assert create_hit(client, QualificationRequirements=[locale])["HITStatus"] == "Assignable"


def test_hit_type_is_reused_for_identical_properties(client: Any) -> None:
    params = {"AssignmentDurationInSeconds": 600, "Reward": "0.50", "Title": "T", "Description": "D"}
    first = client.create_hit_type(**params)["HITTypeId"]
    assert client.create_hit_type(**params)["HITTypeId"] == first
    assert client.create_hit_type(**{**params, "Title": "Other"})["HITTypeId"] != first
    hit = client.create_hit_with_hit_type(HITTypeId=first, LifetimeInSeconds=600, Question="<q/>")["HIT"]
    assert (hit["HITTypeId"], hit["Title"]) == (first, "T")


def test_create_hit_with_unknown_hit_type_fails(client: Any) -> None:
    error = error_of(
        lambda: client.create_hit_with_hit_type(HITTypeId="3NOSUCH", LifetimeInSeconds=600, Question="q")
    )
    assert code(error) == "RequestError"
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITTypeDoesNotExist"


def test_create_hit_needs_a_question_or_layout(client: Any) -> None:
    error = error_of(
        lambda: client.create_hit(
            LifetimeInSeconds=600, AssignmentDurationInSeconds=600, Reward="0.1", Title="t", Description="d"
        )
    )
    assert code(error) == "RequestError"


def test_unique_request_token_blocks_a_duplicate(client: Any) -> None:
    hit = create_hit(client, UniqueRequestToken="study-42")
    error = error_of(lambda: create_hit(client, UniqueRequestToken="study-42"))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HitAlreadyExists"
    assert hit["HITId"] in error.response["Error"]["Message"]


def test_list_hits_every_page(local: LocalMTurk, client: Any) -> None:
    created = [create_hit(client, RequesterAnnotation=str(index))["HITId"] for index in range(23)]
    local.reset_counters()
    pages = list(client.get_paginator("list_hits").paginate(PaginationConfig={"PageSize": 10}))
    assert [page["NumResults"] for page in pages] == [10, 10, 3]
    assert [hit["HITId"] for page in pages for hit in page["HITs"]] == created
    assert local.counters()["ListHITs"]["served"] == 3


def test_hit_becomes_reviewable_when_it_expires(local: LocalMTurk, client: Any) -> None:
    hit = create_hit(client, LifetimeInSeconds=60)
    local.set_clock(local.now() + timedelta(seconds=61))
    assert client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def test_hit_with_all_assignments_submitted_is_reviewable(seeded: LocalMTurk) -> None:
    client = make_client(seeded.endpoint_url)
    hit = client.get_hit(HITId=SEEDED_HIT)["HIT"]
    assert hit["HITStatus"] == "Reviewable"  # 3 of 3 assignments in, though not yet expired
    assert hit["NumberOfAssignmentsAvailable"] == 0
    assert hit["NumberOfAssignmentsCompleted"] == 2
    assert hit["CreationTime"] == START


def test_list_assignments_with_status_filter_and_pages(seeded: LocalMTurk) -> None:
    client = make_client(seeded.endpoint_url)
    everything = client.list_assignments_for_hit(HITId=SEEDED_HIT)
    assert [(a["WorkerId"], a["AssignmentStatus"]) for a in everything["Assignments"]] == [
        ("A1AAAAAAAAAAAA", "Approved"),
        ("A2AAAAAAAAAAAA", "Rejected"),
        ("A3AAAAAAAAAAAA", "Submitted"),
    ]
    assert all(a["HITId"] == SEEDED_HIT and len(a["AssignmentId"]) == 30 for a in everything["Assignments"])
    approved = client.list_assignments_for_hit(HITId=SEEDED_HIT, AssignmentStatuses=["Approved", "Submitted"])
    assert [a["WorkerId"] for a in approved["Assignments"]] == ["A1AAAAAAAAAAAA", "A3AAAAAAAAAAAA"]
    pages = list(
        client.get_paginator("list_assignments_for_hit").paginate(
            HITId=SEEDED_HIT, PaginationConfig={"PageSize": 2}
        )
    )
    assert [page["NumResults"] for page in pages] == [2, 1]


def test_submitted_assignments_are_auto_approved_after_the_delay(seeded: LocalMTurk) -> None:
    client = make_client(seeded.endpoint_url)
    seeded.set_clock(START + timedelta(days=31))
    statuses = [
        a["AssignmentStatus"] for a in client.list_assignments_for_hit(HITId=SEEDED_HIT)["Assignments"]
    ]
    assert statuses == ["Approved", "Rejected", "Approved"]


def test_hit_is_disposed_120_days_after_creation(seeded: LocalMTurk) -> None:
    client = make_client(seeded.endpoint_url)
    seeded.set_clock(START + timedelta(days=119))
    assert client.get_hit(HITId=SEEDED_HIT)["HIT"]["HITId"] == SEEDED_HIT
    seeded.set_clock(START + timedelta(days=121))
    assert client.list_hits()["NumResults"] == 0
    for call in (
        lambda: client.get_hit(HITId=SEEDED_HIT),
        lambda: client.list_assignments_for_hit(HITId=SEEDED_HIT),
    ):
        error = error_of(call)
        assert code(error) == "RequestError"
        assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_disposal_does_not_shift_pages(local: LocalMTurk, client: Any) -> None:
    old = create_hit(client)["HITId"]
    local.set_clock(local.now() + timedelta(days=60))
    newer = [create_hit(client)["HITId"] for _ in range(4)]
    first = client.list_hits(MaxResults=2)
    assert [h["HITId"] for h in first["HITs"]] == [old, newer[0]]
    local.set_clock(local.now() + timedelta(days=61))  # the first HIT is now disposed
    second = client.list_hits(MaxResults=2, NextToken=first["NextToken"])
    assert [h["HITId"] for h in second["HITs"]] == newer[1:3]
