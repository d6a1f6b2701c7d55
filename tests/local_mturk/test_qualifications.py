"""Qualification types and qualifications, with MTurk's semantics, driven through boto3."""

from __future__ import annotations

from typing import Any

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import code, create_type, error_of


def test_create_and_get_qualification_type(client: Any) -> None:
    created = client.create_qualification_type(
        Name="Prior participant", Description="Took part", QualificationTypeStatus="Active", Keywords="trust"
    )["QualificationType"]
    assert len(created["QualificationTypeId"]) == 30
    assert created["QualificationTypeId"].isalnum() and created["QualificationTypeId"].isupper()
    got = client.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])[
        "QualificationType"
    ]
    assert got["Name"] == "Prior participant"
    assert got["Keywords"] == "trust"
    assert got["IsRequestable"] is True
    assert got["CreationTime"] == created["CreationTime"]


def test_names_are_unique_per_requester(client: Any) -> None:
    create_type(client, "Same name")
    error = error_of(lambda: create_type(client, "Same name"))
    assert code(error) == "RequestError"
    assert error.response["Error"]["Message"].startswith(
        "You have already created a QualificationType with this name"
    )
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeAlreadyExists"


def test_unknown_qualification_type(client: Any) -> None:
    error = error_of(lambda: client.get_qualification_type(QualificationTypeId="3NOSUCHTYPE"))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"


def test_list_qualification_types_query_owner_and_pages(client: Any) -> None:
    for index in range(12):
        create_type(client, f"Study {index:02d}")
    client.create_qualification_type(
        Name="Unrelated", Description="Something else", Keywords="other", QualificationTypeStatus="Active"
    )
    paginator = client.get_paginator("list_qualification_types")
    pages = list(
        paginator.paginate(
            Query="study", MustBeRequestable=True, MustBeOwnedByCaller=True, PaginationConfig={"PageSize": 5}
        )
    )
    names = [qt["Name"] for page in pages for qt in page["QualificationTypes"]]
    assert names == [f"Study {index:02d}" for index in range(12)]
    assert [page["NumResults"] for page in pages] == [5, 5, 2]
    assert "NextToken" not in pages[-1]
    everything = client.list_qualification_types(MustBeRequestable=False, MaxResults=100)
    assert everything["NumResults"] == 13


def test_update_qualification_type(client: Any) -> None:
    type_id = create_type(client)
    updated = client.update_qualification_type(
        QualificationTypeId=type_id, Description="New words", QualificationTypeStatus="Inactive"
    )["QualificationType"]
    assert updated["Description"] == "New words"
    assert updated["QualificationTypeStatus"] == "Inactive"
    assert client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Description"] == (
        "New words"
    )


def test_associate_sets_and_updates_the_value(client: Any) -> None:
    type_id = create_type(client)
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="A1WORKER", IntegerValue=3, SendNotification=False
    )
    first = client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1WORKER")["Qualification"]
    assert (first["IntegerValue"], first["Status"]) == (3, "Granted")
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="A1WORKER", IntegerValue=7
    )
    second = client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1WORKER")["Qualification"]
    assert second["IntegerValue"] == 7
    assert second["GrantTime"] == first["GrantTime"]
    listed = client.list_workers_with_qualification_type(QualificationTypeId=type_id)["Qualifications"]
    assert [(q["WorkerId"], q["IntegerValue"]) for q in listed] == [("A1WORKER", 7)]


def test_disassociate_keeps_the_qualification_as_revoked_and_associate_regrants(client: Any) -> None:
    type_id = create_type(client)
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="A1WORKER", IntegerValue=1
    )
    client.disassociate_qualification_from_worker(
        QualificationTypeId=type_id, WorkerId="A1WORKER", Reason="done"
    )
    # As on MTurk, GetQualificationScore answers only for a Granted qualification, and for a revoked
    # one says so in the words clients such as Dallinger look for.
    error = error_of(lambda: client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1WORKER"))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationDoesNotExist"
    assert error.response["Error"]["Message"].startswith(
        "This operation can be called with a status of: Granted"
    )
    assert "does not exist" not in error.response["Error"]["Message"]
    granted = client.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Granted")
    revoked = client.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Revoked")
    assert granted["NumResults"] == 0
    assert [q["WorkerId"] for q in revoked["Qualifications"]] == ["A1WORKER"]
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="A1WORKER", IntegerValue=2
    )
    score = client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1WORKER")["Qualification"]
    assert (score["Status"], score["IntegerValue"]) == ("Granted", 2)


def test_disassociating_a_qualification_the_worker_does_not_hold_fails(client: Any) -> None:
    type_id = create_type(client)
    error = error_of(
        lambda: client.disassociate_qualification_from_worker(
            QualificationTypeId=type_id, WorkerId="A9NOBODY"
        )
    )
    assert code(error) == "RequestError"
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationDoesNotExist"
    client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A9NOBODY")
    client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId="A9NOBODY")
    again = error_of(
        lambda: client.disassociate_qualification_from_worker(
            QualificationTypeId=type_id, WorkerId="A9NOBODY"
        )
    )
    assert again.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationDoesNotExist"


def test_score_of_a_worker_without_the_qualification_fails(client: Any) -> None:
    type_id = create_type(client)
    error = error_of(lambda: client.get_qualification_score(QualificationTypeId=type_id, WorkerId="A1NOBODY"))
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationDoesNotExist"
    # MTurk's own words, which name neither the worker nor the type.
    assert error.response["Error"]["Message"].startswith(
        "You requested a Qualification that does not exist. ("
    )


def test_list_workers_pages_are_complete_stable_and_sorted(local: LocalMTurk, client: Any) -> None:
    type_id = create_type(client)
    workers = [f"A{index:04d}W" for index in range(250)]
    for worker in reversed(workers):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker)
    local.reset_counters()
    paginator = client.get_paginator("list_workers_with_qualification_type")
    pages = list(paginator.paginate(QualificationTypeId=type_id, PaginationConfig={"PageSize": 100}))
    assert [page["NumResults"] for page in pages] == [100, 100, 50]
    assert [q["WorkerId"] for page in pages for q in page["Qualifications"]] == workers
    # Exactly the minimum number of calls: no empty trailing page.
    assert local.counters()["ListWorkersWithQualificationType"]["served"] == 3


def test_list_workers_page_boundary_survives_changes_between_pages(client: Any) -> None:
    type_id = create_type(client)
    for index in range(10):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=f"A{index}X")
    first = client.list_workers_with_qualification_type(QualificationTypeId=type_id, MaxResults=5)
    assert [q["WorkerId"] for q in first["Qualifications"]] == ["A0X", "A1X", "A2X", "A3X", "A4X"]
    client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId="A1X")
    second = client.list_workers_with_qualification_type(
        QualificationTypeId=type_id, MaxResults=5, NextToken=first["NextToken"]
    )
    assert [q["WorkerId"] for q in second["Qualifications"]] == ["A5X", "A6X", "A7X", "A8X", "A9X"]
    assert "NextToken" not in second


def test_default_page_size_is_ten(client: Any) -> None:
    type_id = create_type(client)
    for index in range(12):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=f"A{index:02d}X")
    page = client.list_workers_with_qualification_type(QualificationTypeId=type_id)
    assert page["NumResults"] == 10
    assert "NextToken" in page


def test_a_token_from_another_listing_is_refused(client: Any) -> None:
    type_a, type_b = create_type(client, "a"), create_type(client, "b")
    for index in range(3):
        client.associate_qualification_with_worker(QualificationTypeId=type_a, WorkerId=f"A{index}X")
    token = client.list_workers_with_qualification_type(QualificationTypeId=type_a, MaxResults=1)["NextToken"]
    error = error_of(
        lambda: client.list_workers_with_qualification_type(QualificationTypeId=type_b, NextToken=token)
    )
    assert code(error) == "RequestError"


def test_mturk_emails_are_recorded_as_mturk_would_send_them(local: Any, client: Any) -> None:
    """A grant notifies unless SendNotification is false; a revocation only with a Reason."""
    type_id = client.create_qualification_type(
        Name="Notified", Description="d", QualificationTypeStatus="Active"
    )["QualificationType"]["QualificationTypeId"]
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="ANOTIFIED1", IntegerValue=1
    )
    client.associate_qualification_with_worker(
        QualificationTypeId=type_id, WorkerId="ASILENT1", IntegerValue=1, SendNotification=False
    )
    client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId="ASILENT1")
    client.disassociate_qualification_from_worker(
        QualificationTypeId=type_id, WorkerId="ANOTIFIED1", Reason="Released"
    )
    notices = [(n["kind"], n["worker_id"], n["reason"]) for n in local.state()["notifications"]]
    assert notices == [("granted", "ANOTIFIED1", None), ("revoked", "ANOTIFIED1", "Released")]
