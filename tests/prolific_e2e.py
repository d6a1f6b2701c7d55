"""End-to-end support for Prolific: a local Prolific over HTTP, and a lab whose default target is it.

Tests start the local Prolific in-process (to read what it was asked, seed faults and look at its
groups) and run the command line as a separate process talking to it over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reconciler.emulators.prolific import LocalProlific
from tests.e2e import LabFiles
from tests.helpers import EXAMPLE, Run, clean_env, copy_example, exclusions

TARGET = "emu-prolific"
WORKSPACE = "000000000000000000000001"
EXAMPLE_SEED = EXAMPLE / "local-prolific-seed.yaml"
DECEPTION = "Example Lab: took part in a deception study"
GAMES = "Example Lab: played our economic games"


def participant(number: int) -> str:
    """An obviously fake Prolific participant ID."""
    return "a" * 20 + f"{number:04d}"


def study_id(number: int) -> str:
    """An obviously fake Prolific study ID."""
    return f"ab{number:022d}"


@contextmanager
def local_prolific(tmp_path: Path, **options: Any) -> Iterator[LocalProlific]:
    """A local Prolific seeded with the example's studies, serving on a free port."""
    with LocalProlific(seed_path=EXAMPLE_SEED, **options) as server:
        yield server


class ProlificLab(LabFiles):
    """A copy of the example lab whose default target is the given local Prolific."""

    def __init__(self, root: Path, server: LocalProlific) -> None:
        super().__init__(copy_example(root), TARGET)
        self.server = server
        config = self.config()
        config["default_target"] = TARGET
        config["targets"][TARGET] = {
            "kind": "prolific",
            "workspace_id": WORKSPACE,
            "endpoint_url": server.endpoint_url,
        }
        self.write_config(config)

    def run(self, *args: str, **env: str) -> Run:
        environment = {"PROLIFIC_TOKEN": "fake-token-for-tests", "PROLIFIC_MAX_ATTEMPTS": "3", **env}
        return exclusions(*args, cwd=self.root, env=clean_env(**environment))

    def members(self, pool_name: str = DECEPTION) -> set[str]:
        group_id = self.server.group_named(pool_name)
        return self.server.group_members(group_id) if group_id else set()
