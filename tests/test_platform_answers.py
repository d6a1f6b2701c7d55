"""The checks of platform answers and the redaction of platform error text, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reconciler.platform import answers
from reconciler.platform.redact import REDACTED, redact

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HOLDERS = answers.page_of("Qualifications", answers.holder)
GRANTED = {"WorkerId": "AEXAMPLEWORKER0001", "IntegerValue": 2, "Status": "Granted"}


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        pytest.param({"Qualifications": [GRANTED]}, None, id="good"),
        pytest.param({"Qualifications": [], "NextToken": "T"}, None, id="empty page with a token"),
        pytest.param({"message": '{"Qualif'}, "no 'Qualifications' list", id="truncated body"),
        pytest.param({"Qualifications": [GRANTED], "NextToken": ""}, "NextToken", id="empty token"),
        pytest.param(
            {"Qualifications": [{**GRANTED, "WorkerId": None}]}, "without 'WorkerId'", id="no worker"
        ),
        pytest.param(
            {"Qualifications": [{k: v for k, v in GRANTED.items() if k != "IntegerValue"}]},
            "whole-number 'IntegerValue'",
            id="no value",
        ),
        pytest.param(
            {"Qualifications": [{**GRANTED, "IntegerValue": True}]}, "whole-number", id="bool value"
        ),
        pytest.param(
            {"Qualifications": [{**GRANTED, "Status": "Revoked"}]}, "status 'Revoked'", id="revoked"
        ),
        pytest.param({"Qualifications": ["AEXAMPLEWORKER0001"]}, "not an object", id="not an object"),
    ],
)
def test_a_page_of_holders_is_checked(answer: dict[str, Any], problem: str | None) -> None:
    if problem is None:
        HOLDERS(answer)
    else:
        with pytest.raises(answers.MalformedAnswer, match=problem):
            HOLDERS(answer)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        pytest.param({"HITId": "3H", "CreationTime": NOW}, None, id="good"),
        pytest.param({"HITId": "3H", "CreationTime": "yesterday"}, "CreationTime", id="text time"),
        pytest.param({"HITId": "3H", "CreationTime": NOW, "Expiration": 5}, "Expiration", id="bad expiry"),
        pytest.param(
            {"HITId": "3H", "CreationTime": NOW, "QualificationRequirements": [{"Comparator": "Exists"}]},
            "QualificationTypeId",
            id="requirement without type",
        ),
    ],
)
def test_a_hit_is_checked(entry: dict[str, Any], problem: str | None) -> None:
    check = answers.one("HIT", answers.hit)
    if problem is None:
        check({"HIT": entry})
    else:
        with pytest.raises(answers.MalformedAnswer, match=problem):
            check({"HIT": entry})


def test_an_assignment_of_a_status_not_asked_for_is_refused() -> None:
    check = answers.assignment_of(["Approved"])
    check({"WorkerId": "AEXAMPLEWORKER0001", "AssignmentStatus": "Approved"})
    with pytest.raises(answers.MalformedAnswer, match="'Submitted'"):
        check({"WorkerId": "AEXAMPLEWORKER0001", "AssignmentStatus": "Submitted"})


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Authorization=AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKEFAKE/x, Signature=abc", "AKIAFAKE"),
        ('{"X-Amz-Security-Token": "FwoGZXIvYXdzEJr", "Host": "h"}', "FwoGZXIvYXdzEJr"),
        ("x-amz-security-token: FwoGZXIvYXdzEJr\nnext", "FwoGZXIvYXdzEJr"),
        ("key ASIAEXAMPLEEXAMPLE12 used", "ASIAEXAMPLE"),
        ("quoted secret PLANTEDsecret/Key+0123 here", "PLANTEDsecret"),
    ],
)
def test_redact_removes_header_values_and_credentials(text: str, gone: str) -> None:
    cleaned = redact(text, ["PLANTEDsecret/Key+0123"])
    assert gone not in cleaned
    assert REDACTED in cleaned


def test_redact_keeps_an_ordinary_message_and_cuts_a_long_one() -> None:
    assert redact("Hit 3ABC does not exist. (1767229200057)") == "Hit 3ABC does not exist. (1767229200057)"
    assert redact("x" * 2000).endswith("… (cut)")
