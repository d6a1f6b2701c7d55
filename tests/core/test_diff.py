"""The holder diff as set algebra, and the type diff, table-driven."""

from __future__ import annotations

import pytest

from reconciler.core.diff import diff_holders, diff_type_settings
from reconciler.core.live import LiveQualificationType, QualificationTypeSettings
from reconciler.kinds.mturk import MTURK


@pytest.mark.parametrize(
    ("desired", "live", "grants", "revokes", "updates"),
    [
        pytest.param({}, {}, {}, {}, {}, id="nothing"),
        pytest.param({"A1": 1}, {}, {"A1": 1}, {}, {}, id="grant"),
        pytest.param({}, {"A1": 1}, {}, {"A1": 1}, {}, id="revoke"),
        pytest.param({"A1": 2}, {"A1": 1}, {}, {}, {"A1": (1, 2)}, id="value change"),
        pytest.param({"A1": 1}, {"A1": 1}, {}, {}, {}, id="in sync"),
        pytest.param(
            {"A1": 1, "A2": 3, "A3": 1},
            {"A2": 1, "A3": 1, "A4": 5},
            {"A1": 1},
            {"A4": 5},
            {"A2": (1, 3)},
            id="all at once",
        ),
    ],
)
def test_diff_holders(
    desired: dict[str, int],
    live: dict[str, int],
    grants: dict[str, int],
    revokes: dict[str, int],
    updates: dict[str, tuple[int, int]],
) -> None:
    diff = diff_holders(desired, live)
    assert (diff.grants, diff.revokes, diff.updates) == (grants, revokes, updates)
    assert diff.empty == (not grants and not revokes and not updates)


def live_type(**fields: object) -> LiveQualificationType:
    values: dict[str, object] = {
        "type_id": "3TYPE",
        "name": "Lab deception",
        "description": "Past participants",
        "keywords": None,
        "status": "Active",
        "auto_granted": False,
    }
    values.update(fields)
    return LiveQualificationType(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("live", "changes", "warned"),
    [
        pytest.param(live_type(), {}, False, id="same"),
        pytest.param(
            live_type(description="Old text"),
            {"description": ("Old text", "Past participants")},
            False,
            id="description updated in place",
        ),
        pytest.param(
            live_type(status="Inactive"), {"status": ("Inactive", "Active")}, False, id="reactivated"
        ),
        pytest.param(live_type(keywords="old"), {}, True, id="keywords cannot change: a warning"),
    ],
)
def test_diff_type_settings(live: LiveQualificationType, changes: dict, warned: bool) -> None:
    desired = QualificationTypeSettings("Lab deception", "Past participants", None)
    attributes, warnings = diff_type_settings(desired, live, MTURK)
    assert attributes == changes
    assert bool(warnings) == warned
