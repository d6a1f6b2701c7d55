"""The ``exclusions`` command line: one module per subcommand, registered here."""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from reconciler import __version__
from reconciler.cli.common import print_problems, stderr

# Each command: the module that defines it, and the one line `exclusions --help` shows for it.
# Modules are imported only when their command runs, so `--help` and `validate` never load
# boto3 or the emulators (start-up is paid on every CI step and every pre-commit run).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "reconciler.cli.init:init_command",
        "Start a lab's own exclusions repository (config, schemas, workflows, README).",
    ),
    "validate": (
        "reconciler.cli.validate:validate_command",
        "Check every file of the repository; exit 1 on any error.",
    ),
    "plan": (
        "reconciler.cli.plan:plan_command",
        "Compare the repository with the live groups and print the difference.",
    ),
    "apply": (
        "reconciler.cli.apply:apply_command",
        "Apply the changes a plan shows: holders added and removed, groups created.",
    ),
    "capture": (
        "reconciler.cli.capture:capture_command",
        "Capture the participants of every study's units under exclusions/locks/<target>/.",
    ),
    "lock": (
        "reconciler.cli.capture:lock_command",
        "The old name of `capture` (it says so, then captures).",
    ),
    "import": (
        "reconciler.cli.import_:import_command",
        "Write the holders of POOL's group that no study lists into a new study file.",
    ),
    "requirement": (
        "reconciler.cli.requirement:requirement_command",
        "Print what keeps POOL's holders out of a new study (Prolific's blocklist filter).",
    ),
    "audit": (
        "reconciler.cli.audit:audit_command",
        "List active studies that would let a pool's holders in; exit 1 if any.",
    ),
    "why": (
        "reconciler.cli.answers:why_command",
        "Say why a participant is (or is not) excluded from each pool, and what would change it.",
    ),
    "holders": (
        "reconciler.cli.answers:holders_command",
        "List who should be in POOL's group, with their studies and counts.",
    ),
    "export": (
        "reconciler.cli.answers:export_command",
        "Export the whole record for an ethics board, in CSV and JSON.",
    ),
    "report": (
        "reconciler.cli.report:report_command",
        "Write a static HTML report of the repository, with charts, to a folder.",
    ),
    "show": (
        "reconciler.cli.show:show_command",
        "Print a plan saved by `plan --out`, as text, markdown or JSON.",
    ),
    "local": (
        "reconciler.cli.local:local_group",
        "The local Prolific and the local MTurk: emulators of their APIs over HTTP.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented lazy-loading way)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short_help) for name, (_, short_help) in COMMANDS.items()])


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="exclusions")
def cli() -> None:
    """Keep repeat participants out of your studies.

    The desired exclusions live as YAML under exclusions/ in a git repository. The
    tool plans the difference with the live participant groups on Prolific (or
    qualification holders on MTurk, the archive) and applies it on request, like
    Terraform.

    \b
    Example:
      exclusions validate
      exclusions plan
      exclusions apply
    """


# Exit statuses. 2 is taken by ``plan --detailed-exitcode`` ("changes present"), so usage errors
# exit 1 like any other bad input: a CI job must never read a typo as a plan with changes. A bug in
# the tool exits 3 (as pre-commit does), so a lab's CI can tell "your files are wrong" from "the
# tool is wrong".
EXIT_FAILED = 1
EXIT_INTERNAL_ERROR = 3


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every failure ends with a message and an exit status, never a traceback."""
    try:
        status = cli.main(args=argv, prog_name="exclusions", standalone_mode=False)
    except KeyboardInterrupt:
        stderr.print("interrupted", style="bold red")
        sys.exit(130)
    except Exception as error:
        sys.exit(_report_failure(error))
    sys.exit(status if isinstance(status, int) else 0)


def _report_failure(error: Exception) -> int:
    """The one error boundary: show the failure in a line (or its problems) and say the exit status."""
    # Imported here, not at the top: `--help` does not need them, and start-up counts.
    from reconciler.ops.failures import InvalidInput, OperationFailed, PlatformError

    if isinstance(error, click.exceptions.Abort):
        stderr.print("aborted; nothing was changed", style="bold red")
    elif isinstance(error, click.ClickException):
        error.show()
    elif isinstance(error, InvalidInput):
        print_problems(error.problems, to_stderr=True)
    elif isinstance(error, OperationFailed):
        print_problems(error.problems, to_stderr=True)
        for detail in error.details:
            stderr.print(detail, style="bold red")
        stderr.print(f"error: {error.message}", style="bold red")
    elif isinstance(error, PlatformError):  # a read failed before anything was changed
        stderr.print(f"error: {error}; nothing was changed", style="bold red")
    else:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("EXCLUSIONS_DEBUG"):
            traceback.print_exception(error)
        stderr.print(
            f"internal error: {type(error).__name__}: {error} "
            "(set EXCLUSIONS_DEBUG=1 to see where, and please report it)",
            style="bold red",
        )
        return EXIT_INTERNAL_ERROR
    return EXIT_FAILED
