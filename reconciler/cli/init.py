"""``exclusions init``: start a lab's own repository, with prompts on a terminal or with flags."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from reconciler import __version__
from reconciler.cli.common import CommandFailed, stdout
from reconciler.ops.init_lab import (
    DEFAULT_TOOL_REPOSITORY,
    LabAnswers,
    default_pool_description,
    default_pool_name,
    display_path,
    init_lab,
)

# The pool key is a YAML key and a name in study files: the config schema's form of a name.
POOL_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
REF = re.compile(r"^[A-Za-z0-9_./-]+$")


@click.command("init")
@click.argument(
    "directory", metavar="[DIR]", type=click.Path(file_okay=False, path_type=Path), default=Path(".")
)
@click.option("--lab", "lab_name", metavar="NAME", help="Your lab's name, as workers will read it.")
@click.option(
    "--pool", "pool_key", metavar="KEY", help="The first exclusion pool's key (default: deception)."
)
@click.option("--pool-name", metavar="TEXT", help="Its qualification's name on MTurk (workers see it).")
@click.option("--pool-description", metavar="TEXT", help="Its qualification's description (workers see it).")
@click.option(
    "--tool-repo",
    default=DEFAULT_TOOL_REPOSITORY,
    show_default=True,
    metavar="OWNER/NAME",
    help="The GitHub repository of study-exclusions the workflows and pre-commit install the tool from.",
)
@click.option(
    "--tool-ref",
    default=f"v{__version__}",
    show_default=True,
    metavar="REF",
    help="The tag or full commit SHA of that repository to pin (a SHA is safest).",
)
def init_command(
    directory: Path,
    lab_name: str | None,
    pool_key: str | None,
    pool_name: str | None,
    pool_description: str | None,
    tool_repo: str,
    tool_ref: str,
) -> None:
    """Start a lab's own exclusions repository in DIR (default: here).

    Writes exclusions/config.yaml with your lab's pool (its name and description
    are what workers see on MTurk) and the targets local, sandbox and production;
    an example study to copy, commented out; the JSON Schemas of this version for
    your editor; .gitignore; .pre-commit-config.yaml; the GitHub workflows (plan on
    pull requests, apply on merge, a daily capture), which install this version of
    the tool through its action; and a README of the daily tasks. It never
    overwrites a file. On a terminal it asks for what the flags do not say.

    \b
    Example:
      exclusions init mylab --lab "Decision Lab, University of X"
      cd mylab && exclusions plan && exclusions apply --auto-approve
    """
    asking = sys.stdin.isatty()
    if lab_name is None:
        if not asking:
            raise CommandFailed("say your lab's name with --lab NAME (no terminal to ask on)")
        lab_name = click.prompt("Your lab's name, as workers will read it")
    lab_name = lab_name.strip()
    if not lab_name:
        raise CommandFailed("the lab's name is empty; give it with --lab NAME")
    if pool_key is None:
        pool_key = click.prompt("The first pool's key", default="deception") if asking else "deception"
    if not POOL_KEY.match(pool_key):
        raise CommandFailed(
            f"pool key {pool_key!r}: use lower-case letters, digits, '-' and '_', starting with a letter or digit"
        )
    if pool_name is None:
        pool_name = default_pool_name(lab_name)
        if asking:
            pool_name = click.prompt("Its qualification's name (workers see it)", default=pool_name)
    if pool_description is None:
        pool_description = default_pool_description(lab_name)
        if asking:
            pool_description = click.prompt("Its description (workers see it)", default=pool_description)
    if not REPOSITORY.match(tool_repo):
        raise CommandFailed(f"--tool-repo {tool_repo!r}: give it as OWNER/NAME")
    if not REF.match(tool_ref):
        raise CommandFailed(f"--tool-ref {tool_ref!r}: give a tag or a full commit SHA")
    answers = LabAnswers(
        lab_name=lab_name,
        pool_key=pool_key,
        pool_name=pool_name,
        pool_description=pool_description,
        tool_repository=tool_repo,
        tool_ref=tool_ref,
        tool_version=__version__,
    )
    written = init_lab(directory, answers)
    for path in written:
        stdout.print(f"wrote {display_path(path)}")
    stdout.print(
        f"\nA new lab repository in {display_path(directory.resolve())}. Next:\n"
        f"  cd {display_path(directory.resolve())}\n"
        "  git init && git add -A && git commit -m 'Start our exclusions'\n"
        "  exclusions plan                      # against the local MTurk: no account needed\n"
        "  exclusions apply --auto-approve\n"
        "Then add your studies under exclusions/studies/ (see its README.md), and set up GitHub\n"
        "as the tool's docs/github-setup.md says.",
        style="green",
    )
