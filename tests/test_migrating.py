"""docs/migrating.md's worked example, run as written: a lab of the ``participation_record``
script moves over, and the plan after ``import`` revokes nobody."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from tests.helpers import PROJECT, Run, exclusions

GUIDE = PROJECT / "docs" / "migrating.md"
EXAMPLE = PROJECT / "docs" / "migrating" / "example"


def worked_example_commands() -> list[list[str]]:
    section = GUIDE.read_text().split("## A worked example", 1)[1]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands = [shlex.split(line, comments=True) for line in block.splitlines()]
    assert all(command[0] == "exclusions" for command in commands if command)
    return [command[1:] for command in commands if command]


def test_the_worked_example_moves_over_without_revoking_anyone(tmp_path: Path) -> None:
    root = tmp_path / "decision-lab"
    shutil.copytree(EXAMPLE, root)
    runs: list[Run] = [exclusions(*command, cwd=root) for command in worked_example_commands()]
    validated, before_import, imported, checked, applied, converged = runs
    assert validated.status == 0, validated.output
    # The holder whose HIT is gone is in no list: kept, and shown as held outside the repository.
    assert before_import.status == 0, before_import.output
    assert "1 held outside the repository, kept" in before_import.stdout
    assert "No changes." in before_import.stdout
    # import adopts exactly that holder, not the ones the studies list already.
    assert imported.status == 0, imported.output
    assert "with 1 worker." in imported.stdout
    assert checked.status == 0, checked.output
    assert "held outside the repository" not in checked.stdout
    assert applied.status == 0, applied.output
    assert "Recorded who the studies list among the holders" in applied.stderr
    assert converged.status == 0 and "No changes." in converged.stdout
    adopted = (root / "exclusions" / "studies" / "legacy-holders.yaml").read_text()
    assert "AEXAMPLEWORKER0009" in adopted and "AEXAMPLEWORKER0001" not in adopted


def test_the_example_lists_become_an_active_and_a_released_study() -> None:
    studies = EXAMPLE / "exclusions" / "studies"
    assert "status: active" in (studies / "legacy-hits.yaml").read_text()
    assert "status: released" in (studies / "legacy-released.yaml").read_text()
