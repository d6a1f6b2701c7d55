"""Options several commands share, so they are spelled and explained the same everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

target_option = click.option(
    "--target", "-t", "target", metavar="NAME", help="The target from config.yaml (default: default_target)."
)
verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Show every change, not a summary of long lists."
)


def worker_ids_option(default_show: bool | None) -> Callable[[F], F]:
    """--show-ids/--mask-ids (and the older --show-worker-ids/--mask-worker-ids). ``None`` as
    default: show on a terminal, mask in logs."""
    return click.option(
        "--show-ids/--mask-ids",
        "--show-worker-ids/--mask-worker-ids",
        "show_worker_ids",
        default=default_show,
        help="Print participant IDs whole, or masked. Default: whole on a terminal, masked when the output "
        "goes to a log or file (participant IDs are personal data)."
        if default_show is None
        else "Print participant IDs whole (they are masked by default: they are personal data).",
    )


def resolve_show(show: bool | None) -> bool:
    return sys.stdout.isatty() if show is None else show
