"""``exclusions report``: a static HTML report of the repository (Jinja2 and pygal load only here)."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.answers import masker_for
from reconciler.cli.common import print_problems, repo_option, repository_root
from reconciler.cli.options import target_option, worker_ids_option
from reconciler.ops.answers import load_record, write_files
from reconciler.render.report import render_report


@click.command("report")
@repo_option
@target_option
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write the pages into (created if needed); open its index.html.",
)
@worker_ids_option(False)
def report_command(repo: Path, target: str | None, out: Path, show_worker_ids: bool) -> int:
    """Write a static HTML report of the repository to a folder.

    One page per pool and per study, with charts: holders per pool, participants
    per study over time, the overlap between the studies of a pool, and (on
    MTurk, which disposes of HITs) a calendar of HITs approaching disposal with
    their capture state. The pages open from disk (or as a CI artifact, or on
    GitHub Pages) with no server and no network. Participant IDs are masked
    unless --show-ids.

    \b
    Example:
      exclusions report --out report && xdg-open report/index.html
    """
    loaded = load_record(repository_root(repo), target)
    print_problems(loaded.warnings, to_stderr=True)
    record = loaded.record
    pages = render_report(record, masker_for(record, show_worker_ids), masked=not show_worker_ids)
    write_files(out, pages, "report")
    if record.uncaptured:
        click.echo(
            f"note: {len(record.uncaptured)} {record.platform.words.unit}(s) have no capture on target "
            f"'{record.target}'; the report says so on every page",
            err=True,
        )
    click.echo(f"wrote {len(pages)} pages; open {out / 'index.html'}")
    return 0
