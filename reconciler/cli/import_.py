"""``exclusions import``: adopt an existing qualification without revoking anyone."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reconciler.cli.common import CommandFailed, repo_option, repository_root, stdout
from reconciler.cli.options import target_option
from reconciler.ops.adopt import adopt_holders

STUDY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


@click.command("import")
@click.argument("pool")
@click.option(
    "--study", "study_id", required=True, help="ID of the study file to write (exclusions/studies/ID.yaml)."
)
@click.option("--title", help="The study's title (default: says where the workers came from).")
@repo_option
@target_option
def import_command(pool: str, study_id: str, title: str | None, repo: Path, target: str | None) -> int:
    """Write the holders of POOL's group that no study lists into a new study file.

    A lab that already keeps such a participant group (or MTurk qualification)
    by hand adopts the tool this way: on a first import the new study lists
    every current member under participants: (workers: on MTurk), so the first
    plan removes nobody. Later, it adopts the holders the plan shows as held
    outside the repository (added by hand or by another tool); holders a study
    lists, or listed at the last apply and since removed, are left out. Review
    the file, commit it, then plan.

    \b
    Example:
      exclusions import deception --study legacy-holders --target prolific
    """
    root = repository_root(repo)
    if not re.match(STUDY_ID, study_id):
        raise CommandFailed(f"'{study_id}' is not a valid study ID (letters, digits, '.', '_', '-')")
    path, count, kind = adopt_holders(root, target, pool, study_id, title)
    noun = kind.words.holder if count == 1 else kind.words.holders
    stdout.print(f"Wrote {path} with {count} {noun}. Review it, commit it, then run: exclusions plan")
    return 0
