from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulators.mturk import LocalMTurk
from tests.e2e import Lab, emulator
from tests.helpers import copy_example


@pytest.fixture(autouse=True, scope="session")
def document_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs under test cache what they load (as a lab's runs do), but never in the user's home."""
    previous = os.environ.get("EXCLUSIONS_CACHE_DIR")
    os.environ["EXCLUSIONS_CACHE_DIR"] = str(tmp_path_factory.mktemp("document-cache"))
    yield
    if previous is None:
        del os.environ["EXCLUSIONS_CACHE_DIR"]
    else:
        os.environ["EXCLUSIONS_CACHE_DIR"] = previous


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
