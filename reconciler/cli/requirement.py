"""``exclusions requirement``: the QualificationRequirement that keeps a pool out of a new HIT."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from reconciler.cli.common import repo_option, repository_root
from reconciler.cli.options import target_option
from reconciler.ops.requirement import pool_requirement

ACTIONS_GUARDED = ("Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept")


@click.command("requirement")
@click.argument("pool")
@repo_option
@target_option
@click.option(
    "--actions-guarded",
    "actions_guarded",
    type=click.Choice(ACTIONS_GUARDED),
    default="DiscoverPreviewAndAccept",
    show_default=True,
    help="MTurk only: what an excluded worker may not do: accept the HIT; preview or accept it; or "
    "even find it in search results, preview or accept it.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "python", "yaml"]),
    default="json",
    show_default=True,
    help="json: the object; python: a dict literal; yaml: a mapping.",
)
def requirement_command(
    pool: str, repo: Path, target: str | None, actions_guarded: str, output_format: str
) -> int:
    """Print what keeps POOL's holders out of a new study on the target.

    On Prolific, the filter to put in a new study:
    {"filter_id": "participant_group_blocklist", "selected_values": [<group ID>]};
    a member of the pool's participant group can neither see nor take it.
    On MTurk (the archive), a DoesNotExist QualificationRequirement on the
    pool's qualification type; with the default ActionsGuarded,
    DiscoverPreviewAndAccept, excluded workers do not even see the HIT.
    The group is the one pinned for the target in config.yaml, else the
    pool's group on the target (read-only); run `exclusions apply` first if
    it does not exist yet. Only the filter (or requirement) is printed on
    stdout, so it can be piped.

    \b
    Example:
      exclusions requirement deception --target prolific
      exclusions requirement deception --format python
    """
    requirement = pool_requirement(repository_root(repo), target, pool, actions_guarded)
    click.echo(render(requirement, output_format), nl=False)
    return 0


def render(requirement: dict[str, Any], output_format: str) -> str:
    """The requirement as text ending in a newline."""
    if output_format == "json":
        return json.dumps(requirement, indent=2) + "\n"
    if output_format == "python":
        # JSON string literals of these plain ASCII values are valid Python string literals too.
        lines = [f"    {json.dumps(key)}: {json.dumps(value)}," for key, value in requirement.items()]
        return "{\n" + "\n".join(lines) + "\n}\n"
    yaml = YAML()
    yaml.default_flow_style = False
    buffer = StringIO()
    yaml.dump(requirement, buffer)
    return buffer.getvalue()
