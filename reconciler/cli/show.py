"""``exclusions show``: print a saved plan again, as text, markdown or JSON (like ``terraform show``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.common import stdout
from reconciler.cli.options import resolve_show, verbose_option, worker_ids_option
from reconciler.ops.plan_files import read_plan_file
from reconciler.render.json import plan_to_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text


@click.command("show")
@click.argument("plan_file", metavar="PLANFILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment, participant IDs masked unless --show-ids.",
)
@verbose_option
@worker_ids_option(None)
def show_command(plan_file: Path, output_format: str, verbose: bool, show_worker_ids: bool | None) -> None:
    """Print the plan saved in PLANFILE by `exclusions plan --out`.

    Reads only the file: no repository, no platform. The plan is checked
    against its schema first; a file that is not a saved plan exits 1. It is
    shown in the words of the platform it was made for.

    \b
    Example:
      exclusions plan --out p.plan.json
      exclusions show p.plan.json
      exclusions show p.plan.json --format markdown > comment.md
    """
    plan = read_plan_file(plan_file)
    if output_format == "json":
        click.echo(json.dumps(plan_to_json(plan), indent=2))  # the platform the file names
    elif output_format == "markdown":
        # A comment is read by others: worker IDs masked unless asked for.
        click.echo(render_markdown(plan, show_worker_ids=show_worker_ids is True), nl=False)
    else:
        render_text(plan, stdout, verbose=verbose, show_worker_ids=resolve_show(show_worker_ids))
