"""``exclusions lock``: capture the workers of every HIT before MTurk disposes of it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import target_option
from reconciler.ops.capture import capture_all
from reconciler.ops.session import open_session, utc_now
from reconciler.platform.base import PlatformError


@click.command("lock")
@repo_option
@target_option
@click.option(
    "--fail-within",
    "fail_within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Exit 1 if a HIT will be disposed of within DAYS and is still not completely captured.",
)
def lock_command(repo: Path, target: str | None, fail_within: int | None) -> int:
    """Capture the workers of every HIT of every study under exclusions/locks/<target>/.

    One file per HIT, sorted and deterministic, recording the HIT's status, when it
    was read and whether the capture is complete (the HIT is disposed of, or past
    its expiration with nothing pending). A complete capture is never read again;
    a capture never loses a worker. Run it on a schedule and commit the files, so
    a study's participants stay excluded after MTurk forgets its HITs (120 days).

    \b
    Example:
      exclusions lock
      exclusions lock --target production --fail-within 7
    """
    root = repository_root(repo)
    now = utc_now()
    try:
        with open_session(root, target) as session:
            print_problems(session.warnings, to_stderr=True)
            run = capture_all(session, now)
    except PlatformError as error:
        raise CommandFailed(f"{error}; the captures read before it were kept") from None
    for warning in run.hits.warnings:
        stderr.print(f"warning: {warning}", style="yellow")
    stdout.print(
        f"{run.total} HITs: {len(run.hits.changed_captures)} capture files written, {run.complete} complete; "
        f"{run.hits.calls_saved} served from complete captures without a call."
    )
    run.hits.require_complete()
    if fail_within is not None:
        late = run.late(session, now, timedelta(days=fail_within))
        if late:
            raise CommandFailed(
                f"{len(late)} HIT(s) will be disposed of within {fail_within} days and are not completely "
                f"captured: {', '.join(late)}; read them now, and list their workers under 'workers:' if "
                "they cannot be completed in time"
            )
    return 0
