from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.e2e import Lab, emulator
from tests.helpers import copy_example


@pytest.fixture
def example_lab(tmp_path: Path) -> Path:
    """A copy of the example lab in a temporary folder, on its embedded local target."""
    return copy_example(tmp_path / "lab")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalMTurk]:
    """A local MTurk seeded with the example's HITs, in this process."""
    with emulator(tmp_path) as running:
        yield running


@pytest.fixture
def lab(tmp_path: Path, server: LocalMTurk) -> Lab:
    """A copy of the example lab whose default target is ``server``, over HTTP."""
    return Lab(tmp_path / "lab", server)
