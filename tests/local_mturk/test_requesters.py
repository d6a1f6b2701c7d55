"""The requester model: every access key is the default requester unless the seed names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import create_type, error_of, make_client

OTHER = "AKIDOTHERLAB"


@pytest.fixture
def two_labs(tmp_path: Path) -> Iterator[LocalMTurk]:
    seed = tmp_path / "seed.yaml"
    seed.write_text(f"requesters: [{OTHER}]\n")
    with LocalMTurk(seed_path=seed) as emulator:
        yield emulator


def test_unlisted_access_keys_share_the_default_requester(local: LocalMTurk) -> None:
    first = make_client(local.endpoint_url, key="AKIDFIRST")
    second = make_client(local.endpoint_url, key="AKIDSECOND")
    type_id = create_type(first, "Shared")
    second.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1WORKER")
    assert error_of(lambda: create_type(second, "Shared")).response["TurkErrorCode"] == (
        "AWS.MechanicalTurk.QualificationTypeAlreadyExists"
    )


def test_listed_requesters_are_separate(two_labs: LocalMTurk) -> None:
    mine = make_client(two_labs.endpoint_url, key="AKIDANYTHING")
    theirs = make_client(two_labs.endpoint_url, key=OTHER)
    my_type = create_type(mine, "Prior participant")
    their_type = create_type(theirs, "Prior participant")  # same name, other requester: allowed
    assert my_type != their_type
    denied = error_of(
        lambda: theirs.associate_qualification_with_worker(QualificationTypeId=my_type, WorkerId="A1WORKER")
    )
    assert denied.response["TurkErrorCode"] == "AWS.MechanicalTurk.PermissionDenied"
    denied = error_of(lambda: theirs.list_workers_with_qualification_type(QualificationTypeId=my_type))
    assert denied.response["TurkErrorCode"] == "AWS.MechanicalTurk.PermissionDenied"
    owned = theirs.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)
    assert [qt["QualificationTypeId"] for qt in owned["QualificationTypes"]] == [their_type]
    public = theirs.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=False)
    assert {qt["QualificationTypeId"] for qt in public["QualificationTypes"]} == {my_type, their_type}


def test_hits_are_private_to_their_requester(two_labs: LocalMTurk) -> None:
    mine: Any = make_client(two_labs.endpoint_url, key="AKIDANYTHING")
    theirs: Any = make_client(two_labs.endpoint_url, key=OTHER)
    hit = mine.create_hit(
        LifetimeInSeconds=600,
        AssignmentDurationInSeconds=600,
        Reward="0.10",
        Title="t",
        Description="d",
        Question="<q/>",
    )["HIT"]
    assert theirs.list_hits()["NumResults"] == 0
    error = error_of(lambda: theirs.get_hit(HITId=hit["HITId"]))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"
