"""The audit's findings as a table: one row per open unit of work, one line per reason."""

from __future__ import annotations

from datetime import UTC, datetime

from rich import box
from rich.console import Console
from rich.table import Table

from reconciler.core.audit import Audit
from reconciler.core.platform_kind import PlatformKind

TITLE_WIDTH = 40
UNBOUNDED = 10_000  # the table takes the width it needs: a squeezed table is unreadable


def ok_line(audit: Audit, target: str, kind: PlatformKind) -> str:
    words = kind.words
    return (
        f"OK: all {audit.open_hits} {words.open_units} on target '{target}' keep the pools' "
        f"{words.holders} out ({audit.listed} {words.units} listed)."
    )


def findings_table(audit: Audit, kind: PlatformKind) -> str:
    """Rows are never wrapped, so each unit's line can be grepped."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="")
    table.add_column(f"{kind.words.unit} ID", no_wrap=True)
    table.add_column("Title", no_wrap=True, max_width=TITLE_WIDTH, overflow="ellipsis")
    table.add_column("Created (UTC)", no_wrap=True)
    table.add_column("Expires (UTC)", no_wrap=True)
    table.add_column("Missing", no_wrap=True)
    for finding in audit.findings:
        hit = finding.hit
        table.add_row(
            hit.hit_id, hit.title, _moment(hit.created), _moment(hit.expiration), "\n".join(finding.missing)
        )
    console = Console(width=UNBOUNDED, color_system=None, markup=False, highlight=False)
    with console.capture() as captured:
        console.print(table)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def _moment(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"
