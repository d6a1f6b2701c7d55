"""``exclusions plan``: show what apply would change, without changing anything."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.common import print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import resolve_show, target_option, verbose_option, worker_ids_option
from reconciler.ops.plan_files import write_plan_file
from reconciler.ops.runs import make_plan
from reconciler.ops.session import TargetRetired
from reconciler.render.github import append_step_summary, step_summary_path
from reconciler.render.json import masked_plan_json, plan_to_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

CHANGES_PRESENT = 2


@click.command("plan")
@repo_option
@target_option
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan (JSON) for `exclusions apply FILE`.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment, participant IDs masked unless --show-ids. "
    "json: IDs whole unless --mask-ids (then for display only, not for apply).",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when there are none."
)
@verbose_option
@worker_ids_option(None)
def plan_command(
    repo: Path,
    target: str | None,
    out: Path | None,
    output_format: str,
    detailed_exitcode: bool,
    verbose: bool,
    show_worker_ids: bool | None,
) -> int:
    """Compare the repository with the live groups and print the difference.

    Reads each pool's group (a Prolific participant group, or an MTurk
    qualification type) and its members, and the participants of every study
    of an active study file that is not completely captured yet (captures
    under exclusions/locks/ are refreshed). Nothing on the platform changes.
    Any API error that survives the retries ends the plan with exit status 1.

    \b
    Exit status: 0 no changes (or changes, without --detailed-exitcode),
    1 error, 2 changes present with --detailed-exitcode.

    \b
    Example:
      exclusions plan
      exclusions plan --target prolific --out prolific.plan.json
      exclusions plan --format json --detailed-exitcode
      exclusions plan --format markdown > plan.md
    """
    root = repository_root(repo)
    try:
        run = make_plan(root, target)
    except TargetRetired as retired:
        stdout.print(retired.skip_line)
        return 0
    print_problems(run.problems, to_stderr=True)
    plan = run.plan
    # A comment or a job summary is read by others: IDs masked unless asked for.
    summary_path = step_summary_path()
    markdown = (
        render_markdown(plan, titles=run.titles, show_worker_ids=show_worker_ids is True)
        if output_format == "markdown" or summary_path is not None
        else ""
    )
    if output_format == "json":
        # Whole IDs unless --mask-ids: scripts read this form. Masked, it is for display only.
        document = masked_plan_json(plan) if show_worker_ids is False else plan_to_json(plan)
        click.echo(json.dumps(document, indent=2))
    elif output_format == "markdown":
        click.echo(markdown, nl=False)
    else:
        render_text(plan, stdout, verbose=verbose, show_worker_ids=resolve_show(show_worker_ids))
    if out is not None:
        write_plan_file(plan, out)
        stderr.print(f"Saved the plan to {out}; apply it with: exclusions apply {out}", style="dim")
        if show_worker_ids is False:
            stderr.print(
                f"note: {out} keeps {plan.platform.words.holder} IDs whole (apply needs them; "
                "--mask-ids does not apply to --out); keep it out of git and out of logs",
                style="yellow",
            )
    if summary_path is not None:
        append_step_summary(markdown)
    return CHANGES_PRESENT if detailed_exitcode and plan.has_changes else 0
