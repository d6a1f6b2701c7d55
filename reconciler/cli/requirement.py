"""``exclusions requirement``: the QualificationRequirement that keeps a pool out of a new HIT."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from reconciler.cli.common import CommandFailed, print_problems, repo_option, repository_root
from reconciler.cli.options import target_option
from reconciler.ops.requirement import pool_requirement
from reconciler.ops.session import open_session
from reconciler.platform.base import PlatformError

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
    help="What an excluded worker may not do: accept the HIT; preview or accept it; or even find it "
    "in search results, preview or accept it.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "python", "yaml"]),
    default="json",
    show_default=True,
    help="json: the object; python: a dict literal for QualificationRequirements=[...]; yaml: a mapping.",
)
def requirement_command(
    pool: str, repo: Path, target: str | None, actions_guarded: str, output_format: str
) -> int:
    """Print the QualificationRequirement that keeps POOL's workers out of a new HIT.

    A DoesNotExist requirement on the pool's qualification type: a worker
    holding it (one who took part in exclude_after of the pool's active studies)
    cannot take the HIT. With the default ActionsGuarded, DiscoverPreviewAndAccept,
    excluded workers do not even see the HIT. The type ID is the one pinned for
    the target in config.yaml, else the type of the pool's exact name on the
    target (read-only); run `exclusions apply` first if it does not exist yet.
    Only the requirement is printed on stdout, so it can be piped.

    On a Prolific target it prints the filter to put in a new study instead:
    {"filter_id": "participant_group_blocklist", "selected_values": [<group ID>]}.

    \b
    Example:
      exclusions requirement deception --target production
      exclusions requirement deception --format python
      # then, with boto3:
      # mturk.create_hit(..., QualificationRequirements=[<the printed dict>])
    """
    root = repository_root(repo)
    try:
        with open_session(root, target) as session:
            print_problems(session.warnings, to_stderr=True)
            requirement = pool_requirement(session, pool, actions_guarded)
    except PlatformError as error:
        raise CommandFailed(f"{error}; cannot tell the qualification type of pool '{pool}'") from None
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
