"""``exclusions lock``: capture the workers of every HIT before MTurk disposes of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import click

from reconciler.captures import DISPOSAL_AGE
from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import target_option
from reconciler.model import Capture
from reconciler.planning.desired import hits_of
from reconciler.platform.base import PlatformError
from reconciler.reading import HitWorkers, read_hits
from reconciler.session import open_session, utc_now


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
            # Released studies too: a study released by mistake may become active again.
            needed = hits_of(session.repository.studies)
            result = read_hits(
                session.platform, needed, session.captures, session.target.name, now, session.concurrency
            )
            session.save_captures(result.changed_captures)
    except PlatformError as error:
        raise CommandFailed(f"{error}; the captures read before it were kept") from None
    _report(result, session.captures, len(needed))
    result.require_complete()
    if fail_within is not None:
        late = late_hits(session.captures, needed, now, timedelta(days=fail_within))
        if late:
            raise CommandFailed(
                f"{len(late)} HIT(s) will be disposed of within {fail_within} days and are not completely "
                f"captured: {', '.join(late)}; read them now, and list their workers under 'workers:' if "
                "they cannot be completed in time"
            )
    return 0


def _report(result: HitWorkers, captures: dict[str, Capture], total: int) -> None:
    for warning in result.warnings:
        stderr.print(f"warning: {warning}", style="yellow")
    complete = sum(capture.complete for hit_id, capture in captures.items() if hit_id in result.workers)
    stdout.print(
        f"{total} HITs: {len(result.changed_captures)} capture files written, {complete} complete; "
        f"{result.calls_saved} served from complete captures without a call."
    )


def late_hits(
    captures: Mapping[str, Capture], hits: Iterable[str], now: datetime, within: timedelta
) -> list[str]:
    """HITs not completely captured whose disposal comes within ``within``."""
    late = []
    for hit_id in sorted(hits):
        capture = captures.get(hit_id)
        if capture is None or capture.complete or capture.hit_created is None:
            continue
        if capture.hit_created + DISPOSAL_AGE - now <= within:
            late.append(hit_id)
    return late
