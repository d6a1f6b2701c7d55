"""The ``exclusions`` command line: one module per subcommand, registered here."""

from __future__ import annotations

import os
import sys
import traceback

import click

from reconciler import __version__
from reconciler.cli.apply import apply_command
from reconciler.cli.audit import audit_command
from reconciler.cli.common import print_problems, stderr
from reconciler.cli.import_ import import_command
from reconciler.cli.local import local_group
from reconciler.cli.lock import lock_command
from reconciler.cli.plan import plan_command
from reconciler.cli.requirement import requirement_command
from reconciler.cli.validate import validate_command
from reconciler.problems import InvalidInput


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="exclusions")
def cli() -> None:
    """Keep repeat participants out of your studies.

    The desired exclusions live as YAML under exclusions/ in a git repository. The
    tool plans the difference with the live qualification holders on the platform
    and applies it on request, like Terraform.

    \b
    Example:
      exclusions validate
      exclusions plan
      exclusions apply
    """


for command in (
    validate_command,
    plan_command,
    apply_command,
    lock_command,
    import_command,
    requirement_command,
    audit_command,
    local_group,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every failure ends with a message and exit status 1, never a traceback.

    Usage errors exit 1 too, not click's 2: ``plan --detailed-exitcode`` uses 2 for "changes
    present", and a CI job must never read a typo as a plan with changes.
    """
    try:
        status = cli.main(args=argv, prog_name="exclusions", standalone_mode=False)
    except click.exceptions.Abort:
        stderr.print("aborted; nothing was changed", style="bold red")
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(1)
    except InvalidInput as error:
        print_problems(error.problems, to_stderr=True)
        sys.exit(1)
    except KeyboardInterrupt:
        stderr.print("interrupted", style="bold red")
        sys.exit(130)
    except Exception as error:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("EXCLUSIONS_DEBUG"):
            traceback.print_exc()
        stderr.print(
            f"internal error: {type(error).__name__}: {error} "
            "(set EXCLUSIONS_DEBUG=1 to see where, and please report it)",
            style="bold red",
        )
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
