"""``exclusions import``: adopt an existing qualification without revoking anyone."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import click
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root, stdout
from reconciler.cli.options import target_option
from reconciler.files import atomic_write_text
from reconciler.layout import Layout
from reconciler.platform.base import PlatformError
from reconciler.problems import InvalidInput
from reconciler.repository import load_repository
from reconciler.schemas import STUDY_SCHEMA
from reconciler.session import open_session, utc_now

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
    """Write the current holders of POOL's qualification into a new study file.

    A lab that already keeps such a qualification by hand adopts the tool this
    way: the new study lists every current holder under workers:, so the first
    plan revokes nobody. Review the file, commit it, then plan.

    \b
    Example:
      exclusions import deception --study legacy-holders --target production
    """
    root = repository_root(repo)
    if not re.match(STUDY_ID, study_id):
        raise CommandFailed(f"'{study_id}' is not a valid study ID (letters, digits, '.', '_', '-')")
    try:
        with open_session(root, target) as session:
            config = session.repository.config
            if pool not in config.pools:
                raise CommandFailed(f"no pool named '{pool}'; pools: {', '.join(sorted(config.pools))}")
            spec = config.pools[pool]
            if spec.exclude_after != 1:
                raise CommandFailed(
                    f"pool '{pool}' excludes after {spec.exclude_after} studies, and an imported study counts "
                    "as one, so its holders would be revoked; import into a pool with exclude_after: 1"
                )
            path = session.repository.layout.study_file(study_id)
            if path.exists():
                raise CommandFailed(f"{path} exists already; choose another --study")
            live = session.platform.find_qualification_type(
                spec.name, spec.pinned_type_ids.get(session.target.name)
            )
            if live is None:
                raise CommandFailed(
                    f"pool '{pool}' has no qualification type on target '{session.target.name}' yet"
                )
            holders = session.platform.list_holders(live.type_id)
    except PlatformError as error:
        raise CommandFailed(f"{error}; nothing was written") from None
    if not holders:
        raise CommandFailed(f"the qualification of pool '{pool}' has no holders; there is nothing to import")
    _write_study(
        root, path, study_id, pool, title or f"Holders of '{spec.name}' on {session.target.name}", holders
    )
    check = load_repository(root, with_captures=False)
    try:
        check.require()
    except InvalidInput as error:
        path.unlink()
        print_problems(error.problems, to_stderr=True)
        raise CommandFailed("the imported study did not validate; nothing was written") from None
    stdout.print(f"Wrote {path} with {len(holders)} workers. Review it, commit it, then run: exclusions plan")
    return 0


def _write_study(
    root: Path, path: Path, study_id: str, pool: str, title: str, holders: dict[str, int]
) -> None:
    document = CommentedMap()
    document.yaml_set_start_comment(
        Layout(root).modeline_for(path, STUDY_SCHEMA)[2:]
        + f"\nImported by `exclusions import` on {utc_now():%Y-%m-%d}: the holders of the pool's qualification then."
    )
    document["study"] = study_id
    document["title"] = title
    document["pools"] = CommentedSeq([pool])
    document["status"] = "active"
    document["workers"] = CommentedSeq(sorted(holders))
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = StringIO()
    yaml.dump(document, buffer)
    atomic_write_text(path, buffer.getvalue())
