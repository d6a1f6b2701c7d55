from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_example


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A copy of the example lab in a temporary folder."""
    return copy_example(tmp_path / "lab")
