"""``exclusions capture`` (once ``lock``): keep every study's participants before the platform
forgets them."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import target_option
from reconciler.ops.capture import capture_all
from reconciler.ops.session import utc_now

fail_within_option = click.option(
    "--fail-within",
    "fail_within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Exit 1 if a unit (MTurk HIT) will be disposed of within DAYS and is still not completely captured.",
)


@click.command("capture")
@repo_option
@target_option
@fail_within_option
def capture_command(repo: Path, target: str | None, fail_within: int | None) -> int:
    """Capture the participants of every study's units under exclusions/locks/<target>/.

    One file per Prolific study (or MTurk HIT), sorted and deterministic,
    recording its status, when it was read and whether the capture is complete.
    A capture never loses a participant. Run it on a schedule and commit the
    files: they are the lab's record of who took part, whatever the platform
    keeps (MTurk disposes of HITs 120 days after their creation).

    \b
    Example:
      exclusions capture
      exclusions capture --target prolific
    """
    return _capture(repo, target, fail_within)


@click.command("lock")
@repo_option
@target_option
@fail_within_option
def lock_command(repo: Path, target: str | None, fail_within: int | None) -> int:
    """The old name of `exclusions capture`: says so, then captures.

    \b
    Example:
      exclusions capture
    """
    stderr.print("note: `exclusions lock` is now `exclusions capture`; it does the same", style="yellow")
    return _capture(repo, target, fail_within)


def _capture(repo: Path, target: str | None, fail_within: int | None) -> int:
    now = utc_now()
    run = capture_all(repository_root(repo), target, now)
    print_problems(run.problems, to_stderr=True)
    for warning in run.warnings:
        stderr.print(f"warning: {warning}", style="yellow")
    words = run.kind.words
    stdout.print(
        f"{run.total} {words.units}: {len(run.hits.changed_captures)} capture files written, "
        f"{run.complete} complete; {run.hits.calls_saved} served from complete captures without a call."
    )
    run.hits.require_complete()
    if fail_within is not None:
        run.require_captured_within(now, fail_within)
    return 0
