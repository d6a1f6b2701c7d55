"""A HIT after its creation, through boto3: extend, expire, add assignments, review, retype, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import START, create_hit, error_of, make_client


def test_expiring_a_hit_now_makes_it_reviewable(clocked: LocalMTurk, client_at: Any) -> None:
    hit = create_hit(client_at)
    client_at.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=datetime(2000, 1, 1, tzinfo=UTC))
    got = client_at.get_hit(HITId=hit["HITId"])["HIT"]
    assert got["HITStatus"] == "Reviewable"
    # A time in the past expires the HIT at the emulator's "now", not at that past time.
    assert abs(got["Expiration"] - clocked.now()) < timedelta(seconds=5)


def test_extending_an_expired_hit_makes_it_assignable_again(clocked: LocalMTurk, client_at: Any) -> None:
    hit = create_hit(client_at, LifetimeInSeconds=60)
    clocked.set_clock(START + timedelta(hours=1))
    assert client_at.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"
    new_expiry = START + timedelta(days=2)
    client_at.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=new_expiry)
    got = client_at.get_hit(HITId=hit["HITId"])["HIT"]
    assert got["HITStatus"] == "Assignable"
    assert got["Expiration"] == new_expiry
    assert got["NumberOfAssignmentsAvailable"] == 1


def test_update_expiration_of_an_unknown_hit_fails(client_at: Any) -> None:
    error = error_of(lambda: client_at.update_expiration_for_hit(HITId="3NOSUCHHIT", ExpireAt=START))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"


def test_expiration_more_than_a_year_ahead_is_refused(client_at: Any) -> None:
    hit = create_hit(client_at)
    error = error_of(
        lambda: client_at.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=START + timedelta(days=400))
    )
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidParameterValue"


def test_additional_assignments_raise_max_and_available(client_at: Any) -> None:
    hit = create_hit(client_at, MaxAssignments=3)
    client_at.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=4)
    got = client_at.get_hit(HITId=hit["HITId"])["HIT"]
    assert (got["MaxAssignments"], got["NumberOfAssignmentsAvailable"]) == (7, 7)
    assert got["HITStatus"] == "Assignable"


def test_additional_assignments_cannot_cross_ten(client_at: Any) -> None:
    hit = create_hit(client_at, MaxAssignments=9)
    error = error_of(
        lambda: client_at.create_additional_assignments_for_hit(
            HITId=hit["HITId"], NumberOfAdditionalAssignments=1
        )
    )
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease"
    assert client_at.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 9
    big = create_hit(client_at, MaxAssignments=10)
    client_at.create_additional_assignments_for_hit(HITId=big["HITId"], NumberOfAdditionalAssignments=5)
    assert client_at.get_hit(HITId=big["HITId"])["HIT"]["MaxAssignments"] == 15


def test_additional_assignments_with_a_used_token_are_refused(client_at: Any) -> None:
    hit = create_hit(client_at, MaxAssignments=2)
    extend = {"HITId": hit["HITId"], "NumberOfAdditionalAssignments": 1, "UniqueRequestToken": "extend-1"}
    client_at.create_additional_assignments_for_hit(**extend)
    error = error_of(lambda: client_at.create_additional_assignments_for_hit(**extend))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.ExtendHITAlreadyExists"
    assert client_at.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 3


def test_additional_assignments_reopen_a_fully_taken_hit(tmp_path: Any) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "hits:\n"
        "  - hit_id: 3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "    created: 2026-01-05T12:00:00Z\n"
        "    max_assignments: 1\n"
        "    assignments:\n"
        "      - worker_id: AEXAMPLEWORKER0001\n"
    )
    with LocalMTurk(seed_path=seed, clock=START + timedelta(minutes=5)) as emulator:
        client = make_client(emulator.endpoint_url)
        assert client.get_hit(HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")["HIT"]["HITStatus"] == "Reviewable"
        client.create_additional_assignments_for_hit(
            HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NumberOfAdditionalAssignments=1
        )
        got = client.get_hit(HITId="3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")["HIT"]
        assert (got["HITStatus"], got["NumberOfAssignmentsAvailable"]) == ("Assignable", 1)
