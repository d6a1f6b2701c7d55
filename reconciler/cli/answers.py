"""``exclusions why``, ``holders`` and ``export``: answers from the lab's files, masked by default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from reconciler.cli.common import print_problems, repo_option, repository_root
from reconciler.cli.options import target_option, worker_ids_option
from reconciler.ops.answers import live_values, load_record, require_pool, write_files
from reconciler.render import answers as render
from reconciler.render.mask import make_masker


def masker_for(record: Any, show: bool) -> render.Mask:
    everyone = {worker for pool in record.pools.values() for worker in pool.standings}
    return make_masker(everyone, show=show)


@click.command("why")
@click.argument("worker_id", metavar="PARTICIPANT_ID")
@repo_option
@target_option
@click.option("--live", is_flag=True, help="Also read the participant's current standing on the target.")
@worker_ids_option(False)
def why_command(worker_id: str, repo: Path, target: str | None, live: bool, show_worker_ids: bool) -> int:
    """Say why PARTICIPANT_ID is (or is not) excluded from each pool.

    For every pool: the studies (and their Prolific studies or HITs) that put
    the participant there, the capture that recorded each and when, since when
    the participant is excluded, and what would change it (a study released,
    or expiring on its exclude_until). Read from the study files and the
    target's captures; --live also asks the target.

    \b
    Example:
      exclusions why 5f0000000000000000000001
      exclusions why 5f0000000000000000000001 --target prolific --live
    """
    root = repository_root(repo)
    loaded = load_record(root, target)
    print_problems(loaded.warnings, to_stderr=True)
    values = live_values(root, target, worker_id) if live else None
    mask = masker_for(loaded.record, show_worker_ids)
    click.echo(render.why_text(loaded.record, worker_id, mask, values), nl=False)
    return 0


@click.command("holders")
@click.argument("pool")
@repo_option
@target_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table to read, or CSV or JSON to process.",
)
@worker_ids_option(False)
def holders_command(
    pool: str, repo: Path, target: str | None, output_format: str, show_worker_ids: bool
) -> int:
    """List who should be in POOL's group: the excluded participants, their studies and counts.

    Read from the study files and the target's captures (no platform call).
    Studies with no capture on the target are named on stderr: their
    participants are unknown.

    \b
    Example:
      exclusions holders deception
      exclusions holders economic-games --format csv > holders.csv
    """
    loaded = load_record(repository_root(repo), target)
    print_problems(loaded.warnings, to_stderr=True)
    record = loaded.record
    require_pool(record, pool)
    mask = masker_for(record, show_worker_ids)
    if output_format == "table":
        click.echo(render.holders_text(record, record.pools[pool], mask), nl=False)
        return 0
    for line in render.uncaptured_lines(record):
        if line:
            click.echo(line, err=True)
    if output_format == "csv":
        click.echo(render.holders_csv(record, record.pools[pool], mask), nl=False)
    else:
        click.echo(
            json.dumps(render.holders_json(record, record.pools[pool], mask), indent=2, ensure_ascii=False)
        )
    return 0


@click.command("export")
@repo_option
@target_option
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write record.csv, record.json and README.txt into (created if needed).",
)
@worker_ids_option(False)
def export_command(repo: Path, target: str | None, out: Path, show_worker_ids: bool) -> int:
    """Export the whole record for an ethics board, in CSV and JSON.

    Per pool: its participants, the studies they took part in, the dates, the
    platform, and whether they are excluded. README.txt documents every column.
    Participant IDs are masked unless --show-ids.

    \b
    Example:
      exclusions export --out ethics-2026
    """
    loaded = load_record(repository_root(repo), target)
    print_problems(loaded.warnings, to_stderr=True)
    record = loaded.record
    mask = masker_for(record, show_worker_ids)
    masked = not show_worker_ids
    files = {
        "record.csv": render.export_csv(record, mask),
        "record.json": render.export_json(record, mask, masked=masked),
        "README.txt": render.export_readme(record, masked=masked),
    }
    write_files(out, files, "export")
    for line in render.uncaptured_lines(record):
        if line:
            click.echo(line, err=True)
    click.echo(f"wrote {out / 'record.csv'}, {out / 'record.json'} and {out / 'README.txt'}")
    return 0
