"""``exclusions why``, ``holders`` and ``export``: answers from the lab's files, masked by default."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root
from reconciler.cli.options import target_option, worker_ids_option
from reconciler.core.answers import Record
from reconciler.lab.writing import atomic_write_text
from reconciler.ops.answers import live_values, load_record, require_pool
from reconciler.platform.base import PlatformError
from reconciler.render import answers as render
from reconciler.render.mask import make_masker


def masker_for(record: Record, show: bool) -> render.Mask:
    everyone = {worker for pool in record.pools.values() for worker in pool.standings}
    return make_masker(everyone, show=show)


@click.command("why")
@click.argument("worker_id")
@repo_option
@target_option
@click.option(
    "--live", is_flag=True, help="Also read the worker's current qualification values on the target."
)
@worker_ids_option(False)
def why_command(worker_id: str, repo: Path, target: str | None, live: bool, show_worker_ids: bool) -> int:
    """Say why WORKER_ID is (or is not) excluded from each pool.

    For every pool: the studies and HITs that put the worker there, the capture
    that recorded each HIT and when, since when the worker is excluded, and what
    would change it (a study released, or expiring on its exclude_until). Read
    from the study files and the target's captures; --live also asks the target.

    \b
    Example:
      exclusions why AEXAMPLEWORKER0001
      exclusions why AEXAMPLEWORKER0001 --target production --live
    """
    root = repository_root(repo)
    loaded = load_record(root, target)
    print_problems(loaded.warnings, to_stderr=True)
    values = None
    if live:
        try:
            values = live_values(root, target, worker_id)
        except PlatformError as error:
            raise CommandFailed(f"{error}; cannot tell the worker's live values") from None
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
    """List who should hold POOL's qualification: the excluded workers, their studies and counts.

    Read from the study files and the target's captures (no platform call). HITs
    with no capture on the target are named on stderr: their workers are unknown.

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
        import json

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
    Participant IDs are masked unless --show-worker-ids.

    \b
    Example:
      exclusions export --out ethics-2026
    """
    loaded = load_record(repository_root(repo), target)
    print_problems(loaded.warnings, to_stderr=True)
    record = loaded.record
    mask = masker_for(record, show_worker_ids)
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "record.csv", render.export_csv(record, mask))
        atomic_write_text(out / "record.json", render.export_json(record, mask, masked=not show_worker_ids))
        atomic_write_text(out / "README.txt", render.export_readme(record, masked=not show_worker_ids))
    except OSError as error:
        raise CommandFailed(f"cannot write the export to {out}: {error.strerror or error}") from None
    for line in render.uncaptured_lines(record):
        if line:
            click.echo(line, err=True)
    click.echo(f"wrote {out / 'record.csv'}, {out / 'record.json'} and {out / 'README.txt'}")
    return 0
