"""``exclusions apply``: make the live qualification holders match the repository."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import resolve_show, target_option, verbose_option, worker_ids_option
from reconciler.core.plan import Plan
from reconciler.core.safety import safety_problems
from reconciler.ops.applying import ApplyReport
from reconciler.ops.applying import Progress as Advance
from reconciler.ops.plan_files import check_still_current, read_plan_file
from reconciler.ops.session import Session, open_session, retired_target, skip_line, utc_now
from reconciler.render.mask import make_masker, mask_in_text
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
    help="Lift the safety limits on revocations, for a plan that revokes exactly N.",
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
    """Apply the changes a plan shows: grants, revocations, value and type changes.

    Without PLAN_FILE it plans, shows the plan and asks for 'yes' (unless
    --auto-approve). With a PLAN_FILE saved by `plan --out`, it applies exactly
    that plan, and refuses if the live holders or the repository changed since.

    Grants never notify workers; revocations send no reason (so nobody is
    emailed) unless the pool sets one. Before anything changes, every pool is
    checked as plan showed: an apply that would revoke more than the larger of
    the pool's max_revoke_fraction of its holders and 2, or empty a pool, is
    refused unless the pool's safety.approve_revocations in config.yaml (or
    --allow-revoke) names the exact number of revocations.

    \b
    Example:
      exclusions apply
      exclusions apply --auto-approve
      exclusions plan --out p.plan.json && exclusions apply p.plan.json
      exclusions apply --allow-revoke 12
    """
    root = repository_root(repo)
    saved = read_plan_file(plan_file) if plan_file else None
    if saved is not None and target is not None and target != saved.target:
        raise CommandFailed(f"the plan was made for target '{saved.target}', not '{target}'")
    show = resolve_show(show_worker_ids)
    if (retired := retired_target(root, saved.target if saved else target)) is not None:
        stdout.print(skip_line(retired))
        return 0
    with open_session(root, saved.target if saved else target, to_change=True) as session:
        print_problems(session.warnings, to_stderr=True)
        if saved is not None:
            check_still_current(session, saved, utc_now())
            plan = saved
        else:
            plan = session.plan()
            render_text(plan, stdout, verbose=verbose, show_worker_ids=show, platform=session.platform_name)
        if not plan.has_changes:
            # Nothing to change, but the record of listed holders may predate this version or
            # the last edit of a study: bring it up to date.
            _say_recorded(root, session.record_listed(plan))
            if saved is not None:
                stdout.print("No changes in the plan.", style="bold green")
            return 0
        _check_safety(session, plan, allow_revoke)
        if saved is None and not auto_approve:
            _confirm(plan)
        report = _apply_with_progress(session, plan)
    status = _summarise(report, plan, show)
    _say_recorded(root, report.recorded)
    return status


def _say_recorded(root: Path, paths: list[Path]) -> None:
    if paths:
        folder = paths[0].parent.relative_to(root)
        stderr.print(
            f"Recorded who the studies list among the holders ({len(paths)} pool"
            f"{'' if len(paths) == 1 else 's'}) in {folder}/; commit it.",
            style="dim",
        )


def _check_safety(session: Session, plan: Plan, allow_revoke: int | None) -> None:
    problems = safety_problems(plan, dict(session.repository.config.pools), allow_revoke)
    if problems:
        for problem in problems:
            stderr.print(f"refused: {type(problem).__name__}: {problem}", style="bold red")
        raise CommandFailed("safety checks failed; nothing was changed")


def _confirm(plan: Plan) -> None:
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
def _progress(total: int) -> Iterator[Advance | None]:
    if not stderr.is_terminal or total < 2:
        yield None
        return
    columns = (TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("apply", total=total)
        yield lambda steps: progress.advance(task, steps)


def _apply_with_progress(session: Session, plan: Plan) -> ApplyReport:
    total = plan.count("grants") + plan.count("updates") + plan.count("revokes")
    with _progress(total) as advance:
        return session.apply(plan, advance)


def _summarise(report: ApplyReport, plan: Plan, show_worker_ids: bool) -> int:
    for pool, type_id in report.created_types.items():
        stdout.print(f"Created the qualification type of pool '{pool}': {type_id}")
    done = f"{report.count('grant')} granted, {report.count('update')} values updated, {report.count('revoke')} revoked"
    failed = report.failed
    skipped = sum(count for _, count in report.skipped)
    if not failed and not skipped:
        stdout.print(f"Apply complete: {done}.", style="bold green")
        return 0
    failed_ids = {outcome.worker_id for outcome in failed if outcome.worker_id}
    mask = make_masker(failed_ids, show=show_worker_ids)
    stderr.print(
        f"Apply incomplete: {done}; {len(failed)} failed, {skipped} not attempted.", style="bold red"
    )
    for outcome in failed:
        who = f" {mask(outcome.worker_id)}" if outcome.worker_id else ""
        # MTurk's message may name the worker: masked there too, unless whole IDs were asked for.
        error = outcome.error if show_worker_ids else mask_in_text(outcome.error or "", mask, failed_ids)
        stderr.print(f"  failed: {outcome.kind}{who} in pool '{outcome.pool}': {error}", style="red")
    for pool, count in report.skipped:
        stderr.print(
            f"  not attempted: {count} changes of pool '{pool}' (its qualification type failed)", style="red"
        )
    stderr.print(
        "Run `exclusions apply` again: it plans from the live state and repeats nothing that succeeded."
    )
    return 1
