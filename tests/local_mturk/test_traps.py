"""The real service's traps, each behind an option: empty last pages, filled-in requirement
defaults, and credentials checked as AWS checks them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.e2e import Lab, emulator
from tests.local_mturk.support import admin, code, create_hit, create_type, error_of, make_client

LAB_KEY, LAB_SECRET = (
    "AKIAFAKEFAKEFAKEFAKE",
    "fake/secret/for/tests/only",
)  # what tests.helpers.clean_env sets


@pytest.fixture
def trapped() -> Iterator[LocalMTurk]:
    with LocalMTurk(empty_last_page=True, fill_requirement_defaults=True) as emulator_:
        yield emulator_


def test_a_full_last_page_gets_a_token_then_an_empty_page(trapped: LocalMTurk) -> None:
    client = make_client(trapped.endpoint_url)
    type_id = create_type(client, "one")
    create_type(client, "two")
    for worker in ("AEXAMPLEWORKER0001", "AEXAMPLEWORKER0002"):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker)
    create_hit(client)
    create_hit(client, Title="Second")
    listings = {
        "types": lambda **page: client.list_qualification_types(
            MustBeRequestable=False, MustBeOwnedByCaller=True, MaxResults=2, **page
        ),
        "hits": lambda **page: client.list_hits(MaxResults=2, **page),
        "workers": lambda **page: client.list_workers_with_qualification_type(
            QualificationTypeId=type_id, MaxResults=2, **page
        ),
    }
    for name, listing in listings.items():
        first = listing()
        assert first["NumResults"] == 2 and "NextToken" in first, name
        last = listing(NextToken=first["NextToken"])
        assert last["NumResults"] == 0 and "NextToken" not in last, name


def test_without_the_trap_a_full_last_page_has_no_token(client: Any) -> None:
    create_type(client, "one")
    answer = client.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True, MaxResults=1)
    assert answer["NumResults"] == 1 and "NextToken" not in answer


def test_requirements_come_back_with_their_defaults_filled_in(trapped: LocalMTurk) -> None:
    client = make_client(trapped.endpoint_url)
    type_id = create_type(client)
    sent = {"QualificationTypeId": type_id, "Comparator": "DoesNotExist"}
    got = create_hit(client, QualificationRequirements=[sent])["QualificationRequirements"]
    assert got == [{**sent, "ActionsGuarded": "Accept", "RequiredToPreview": False}]
    guarded = {**sent, "ActionsGuarded": "DiscoverPreviewAndAccept"}
    got = create_hit(client, QualificationRequirements=[guarded])["QualificationRequirements"]
    assert got == [{**guarded, "RequiredToPreview": True}]


def test_credentials_are_checked_as_aws_checks_them() -> None:
    with LocalMTurk(credentials={"AKIDKNOWN": "right-secret"}) as local:
        known = make_client(local.endpoint_url, key="AKIDKNOWN")
        known._request_signer._credentials.secret_key = "right-secret"
        assert known.list_hits()["NumResults"] == 0
        unknown = error_of(lambda: make_client(local.endpoint_url, key="AKIDSTRANGER").list_hits())
        assert code(unknown) == "UnrecognizedClientException"
        assert (
            unknown.response["Error"]["Message"] == "The security token included in the request is invalid."
        )
        wrong = error_of(lambda: make_client(local.endpoint_url, key="AKIDKNOWN").list_hits())
        assert code(wrong) == "InvalidSignatureException"
        assert "signature we calculated does not match" in wrong.response["Error"]["Message"]
        status, shown = admin(local.endpoint_url, "GET", "/_local/traps")
        assert status == 200 and shown["known_access_keys"] == ["AKIDKNOWN"]
        assert "right-secret" not in str(shown)


def test_traps_are_switched_through_the_admin_endpoint(local: LocalMTurk, client: Any) -> None:
    status, _ = admin(local.endpoint_url, "POST", "/_local/traps", {"credentials": {"AKIDOTHER": "s"}})
    assert status == 200
    assert code(error_of(lambda: client.list_hits())) == "UnrecognizedClientException"
    status, _ = admin(local.endpoint_url, "POST", "/_local/traps", {"credentials": None})
    assert status == 200
    assert client.list_hits()["NumResults"] == 0
    status, body = admin(local.endpoint_url, "POST", "/_local/traps", {"empty_last_pages": True})
    assert status == 400 and "unknown trap" in body["error"]


def test_the_tool_plans_applies_and_converges_with_every_trap_on(tmp_path: Path) -> None:
    options = {
        "empty_last_page": True,
        "fill_requirement_defaults": True,
        "credentials": {LAB_KEY: LAB_SECRET},
    }
    with emulator(tmp_path, **options) as server:
        lab = Lab(tmp_path / "lab", server)
        applied = lab.run("apply", "--auto-approve")
        assert applied.status == 0, applied.output
        assert "Apply complete: 8 granted" in applied.stdout
        again = lab.run("plan", "--detailed-exitcode")
        assert again.status == 0, again.output
        wrong = lab.run("plan", AWS_SECRET_ACCESS_KEY="not-the-secret")
        assert wrong.status == 1, wrong.output
        assert "failed on target 'emu': InvalidSignatureException" in wrong.stderr
        assert "nothing was changed" in wrong.stderr
        assert "Traceback" not in wrong.stderr
