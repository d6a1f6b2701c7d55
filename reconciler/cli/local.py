"""``exclusions local``: the embedded local MTurk (filled in by the emulator work)."""

from __future__ import annotations

import click


@click.group("local")
def local_group() -> None:
    """Run the local MTurk, an emulator of the MTurk requester API over HTTP."""
