"""Every command says what it does, with an example, and bad usage exits 1 (never click's 2)."""

from __future__ import annotations

import click
import pytest

from reconciler.cli import COMMANDS, cli
from tests.helpers import PROJECT, assert_no_traceback, exclusions


def _commands() -> list[list[str]]:
    found: list[list[str]] = []
    context = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
        if isinstance(command, click.Group):
            found.extend([name, sub] for sub in sorted(command.commands))
        else:
            found.append([name])
    return found


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_each_command_has_help_with_an_example(words: list[str]) -> None:
    run = exclusions(*words, "--help", cwd=PROJECT)
    assert run.status == 0
    assert "Example" in run.stdout, run.stdout


def test_the_main_help_lists_every_command() -> None:
    run = exclusions("--help", cwd=PROJECT)
    for name in ("validate", "plan", "apply", "lock", "import", "requirement", "audit", "local"):
        assert f"  {name} " in run.stdout


def test_a_usage_error_exits_1_so_it_is_never_read_as_changes_present() -> None:
    run = exclusions("plan", "--no-such-option", cwd=PROJECT)
    assert run.status == 1
    assert "No such option" in run.stderr
    assert_no_traceback(run)
