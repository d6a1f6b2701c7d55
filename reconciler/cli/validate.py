"""``exclusions validate``: check the whole repository without touching any platform."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.common import print_problems, stderr, stdout
from reconciler.cli.options import worker_ids_option
from reconciler.ops.validate import validate
from reconciler.render.validation import as_json, summary


@click.command("validate")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--repo",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="The repository (or any folder inside it) holding exclusions/config.yaml. Default: the "
    "repository of each PATH, or the one here.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object on stdout with every problem (path, line, column, severity, message, hint).",
)
@worker_ids_option(False)
def validate_command(
    paths: tuple[Path, ...], repo: Path | None, output_format: str, show_worker_ids: bool
) -> None:
    """Check every file of the repository (of each PATH given, or the one here).

    Each file is checked against its JSON Schema under schemas/, then for what a
    schema cannot say: a study's ID equals its file name, study IDs are unique,
    every pool a study names exists, no study or participant is listed twice,
    and an ID under the wrong key (a Prolific study ID under hits:, say) is
    named with where it belongs. Every problem is reported as
    path:line:column with a hint. Nothing is sent to any platform. Participant
    IDs in the messages (and in GitHub annotations, which appear on pull
    requests) are masked unless --show-ids. Exit status: 0 when valid,
    1 otherwise.

    A PATH may be a file (as pre-commit passes them) or a folder: the whole
    repository holding it is checked, since rules span files.

    \b
    Example:
      exclusions validate
      exclusions validate --repo path/to/lab-repo
      exclusions validate exclusions/studies/trust-game-2026.yaml
      exclusions validate --format json
    """
    checked = validate(paths, repo, show_worker_ids=show_worker_ids)
    lines = [summary(one, several=len(checked) > 1) for one in checked]
    if output_format == "json":
        click.echo(json.dumps(as_json(checked), indent=2))
    else:
        for one, (text, valid) in zip(checked, lines, strict=True):
            print_problems(one.result.problems, show_worker_ids=True)  # already masked, as asked
            (stdout if valid else stderr).print(text, style="green" if valid else "bold red")
    if not all(valid for _, valid in lines):
        raise SystemExit(1)
