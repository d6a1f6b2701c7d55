"""``exclusions audit``: find open HITs that would let a pool's workers in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import target_option
from reconciler.core.audit import Audit
from reconciler.ops.audit import audit_target
from reconciler.ops.session import open_session, utc_now
from reconciler.platform.base import PlatformError

TITLE_WIDTH = 40
UNBOUNDED = 10_000  # the table takes the width it needs: a squeezed table is unreadable


@click.command("audit")
@repo_option
@target_option
def audit_command(repo: Path, target: str | None) -> int:
    """List the open HITs that lack a pool's DoesNotExist requirement.

    Reads every HIT of the requester on the target (read-only) and checks those
    workers can still take (Assignable or Unassignable, not expired). By default
    each must carry at least one pool's requirement; when config.yaml sets
    audit.required_pools, each must carry every one of those. Only a DoesNotExist
    requirement on the pool's qualification type keeps the pool's workers out: an
    Exists, LessThan or other comparator on it is reported as not protecting. A
    pool whose type does not exist on the target yet protects no HIT.

    \b
    Exit status: 0 every open HIT is covered, 1 a HIT lacks a requirement or the
    HITs could not be read (never "all good" from a failed listing).

    \b
    Example:
      exclusions audit
      exclusions audit --target production
    """
    root = repository_root(repo)
    now = utc_now()
    try:
        with open_session(root, target) as session:
            print_problems(session.warnings, to_stderr=True)
            config = session.repository.config
            target_name = session.target.name
            on_prolific = session.platform_name == "Prolific"
            result = audit_target(session, now)
    except PlatformError as error:
        raise CommandFailed(
            f"{error}; the audit could not read every HIT, so it cannot tell whether one lets excluded "
            "workers in"
        ) from None
    for pool in result.pools_without_type:
        stderr.print(
            f"warning: pool '{pool}' has no qualification type on target '{target_name}' yet, so no HIT "
            "can require it: run exclusions apply",
            style="yellow",
        )
    if on_prolific:  # a Prolific study plays the part of a HIT, its blocklist filter the requirement
        return _report_prolific(result, target_name)
    if not result.leaking:
        stdout.print(
            f"OK: all {result.open_hits} open HITs on target '{target_name}' keep the pools' workers out "
            f"({result.listed} HITs listed)."
        )
        return 0
    _print_findings(result)
    rule = "each of: " + ", ".join(config.required_pools) if config.required_pools else "any pool"
    raise CommandFailed(
        f"{len(result.findings)} of {result.open_hits} open HITs on target '{target_name}' lack the "
        f"DoesNotExist requirement of {rule}, so excluded workers can take them; create new HITs with "
        "the requirement printed by `exclusions requirement POOL` (or move these to a HIT type that has "
        "it with UpdateHITTypeOfHIT, or expire them)"
    )


def _report_prolific(result: Audit, target_name: str) -> int:
    if not result.leaking:
        stdout.print(
            f"OK: all {result.open_hits} active Prolific studies on target '{target_name}' block the "
            f"pools' participant groups ({result.listed} studies listed)."
        )
        return 0
    _print_findings(result, "Study ID")
    raise CommandFailed(
        f"{len(result.findings)} of {result.open_hits} active Prolific studies on target '{target_name}' "
        "do not block a pool's participant group, so excluded participants can take them; add the "
        "filter printed by `exclusions requirement POOL` to each study"
    )


def _print_findings(result: Audit, id_column: str = "HIT ID") -> None:
    """One row per HIT, one line per reason; rows are never wrapped, so each HIT's line can be grepped."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="")
    table.add_column(id_column, no_wrap=True)
    table.add_column("Title", no_wrap=True, max_width=TITLE_WIDTH, overflow="ellipsis")
    table.add_column("Created (UTC)", no_wrap=True)
    table.add_column("Expires (UTC)", no_wrap=True)
    table.add_column("Missing", no_wrap=True)
    for finding in result.findings:
        hit = finding.hit
        table.add_row(
            hit.hit_id, hit.title, _moment(hit.created), _moment(hit.expiration), "\n".join(finding.missing)
        )
    console = Console(width=UNBOUNDED, color_system=None, markup=False, highlight=False)
    with console.capture() as captured:
        console.print(table)
    stdout.print("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _moment(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"
