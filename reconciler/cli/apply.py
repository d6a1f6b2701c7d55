"""``exclusions apply``: make the live groups match the repository."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import resolve_show, target_option, verbose_option, worker_ids_option
from reconciler.ops.runs import apply_changes
from reconciler.ops.session import TargetRetired
from reconciler.render.applied import summary_lines
from reconciler.render.text import render_text


@click.command("apply")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@repo_option
@target_option
@click.option("--auto-approve", is_flag=True, help="Apply without asking for 'yes'.")
@click.option(
    "--allow-revoke",
    type=click.IntRange(min=0),
    metavar="N",
    help="Lift the safety limits on removals (revocations), for a plan that removes exactly N.",
)
@verbose_option
@worker_ids_option(None)
def apply_command(
    plan_file: Path | None,
    repo: Path,
    target: str | None,
    auto_approve: bool,
    allow_revoke: int | None,
    verbose: bool,
    show_worker_ids: bool | None,
) -> int:
    """Apply the changes a plan shows: holders added and removed, groups created.

    Without PLAN_FILE it plans, shows the plan and asks for 'yes' (unless
    --auto-approve). With a PLAN_FILE saved by `plan --out`, it applies exactly
    that plan, and refuses if the live groups or the repository changed since.

    Nobody is notified: Prolific participants are added to and removed from
    groups silently; MTurk grants send no notice and revocations no reason
    unless the pool sets one. Before anything changes, every pool is checked
    as plan showed: an apply that would remove more than the larger of the
    pool's max_revoke_fraction of its holders and 2, or empty a pool, is
    refused unless the pool's safety.approve_revocations in config.yaml (or
    --allow-revoke) names the exact number.

    \b
    Example:
      exclusions apply
      exclusions apply --auto-approve
      exclusions plan --out p.plan.json && exclusions apply p.plan.json
      exclusions apply --allow-revoke 12
    """
    root = repository_root(repo)
    show = resolve_show(show_worker_ids)
    try:
        run = apply_changes(
            root,
            target,
            plan_file=plan_file,
            allow_revoke=allow_revoke,
            show_plan=lambda plan: render_text(plan, stdout, verbose=verbose, show_worker_ids=show),
            confirm=None if auto_approve else _confirm,
            progress=_progress,
            problems=lambda problems: print_problems(problems, to_stderr=True),
        )
    except TargetRetired as retired:
        stdout.print(retired.skip_line)
        return 0
    if run.report is None and run.saved:
        stdout.print("No changes in the plan.", style="bold green")
    status = 0
    if run.report is not None:
        failed = False
        for text, style, to_stderr in summary_lines(run.report, run.plan, show):
            (stderr if to_stderr else stdout).print(text, style=style)
            failed = failed or to_stderr
        status = 1 if failed else 0
    if run.recorded:
        folder = run.recorded[0].parent.relative_to(root)
        count = len(run.recorded)
        stderr.print(
            f"Recorded who the studies list among the holders ({count} pool{'' if count == 1 else 's'}) "
            f"in {folder}/; commit it.",
            style="dim",
        )
    return status


def _confirm(plan: Any) -> None:
    stdout.print(
        f"\nApply these changes to target '{plan.target}'? Only 'yes' will be accepted.", style="bold"
    )
    on_terminal = sys.stdin.isatty()
    answer = (
        click.prompt("Enter a value", default="", show_default=False)
        if on_terminal
        else sys.stdin.readline().strip()
    )
    if answer != "yes":
        # Without a terminal (a CI job, a script), nobody could answer: say how to apply there.
        hint = "" if on_terminal else " (no terminal to ask on: pass --auto-approve to apply without asking)"
        raise CommandFailed(f"apply cancelled; nothing was changed{hint}")


@contextmanager
def _progress(total: int) -> Iterator[Any]:
    if not stderr.is_terminal or total < 2:
        yield None
        return
    columns = (TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("apply", total=total)
        yield lambda steps: progress.advance(task, steps)
