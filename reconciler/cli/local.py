"""``exclusions local``: the embedded local MTurk, an emulator of the MTurk requester API."""

from __future__ import annotations

import configparser
import json
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import click

from reconciler.emulators.mturk import LocalMTurk, ScriptedFault, SeedError, StateError
from reconciler.emulators.mturk.clock import parse_iso


@click.group("local")
def local_group() -> None:
    """Run the local MTurk (serve) or the local Prolific (serve-prolific), emulators over HTTP."""


def _parse_clock(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise click.BadParameter(
            f"expected an ISO 8601 time like 2026-01-05T12:00:00Z, got {value!r}"
        ) from None


def _parse_fail_calls(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[ScriptedFault]:
    try:
        return [ScriptedFault.parse(value) for value in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _read_credentials(path: Path) -> dict[str, str]:
    """Access keys and secrets from a file in the AWS shared-credentials format."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise click.BadParameter(f"cannot read {path}: {exc}") from None
    known: dict[str, str] = {}
    for section in parser.sections():
        key = parser.get(section, "aws_access_key_id", fallback=None)
        secret = parser.get(section, "aws_secret_access_key", fallback=None)
        if not key or not secret:
            raise click.BadParameter(
                f"{path}: profile [{section}] needs both aws_access_key_id and aws_secret_access_key"
            )
        known[key] = secret
    if not known:
        raise click.BadParameter(f"{path}: no [profile] with aws_access_key_id and aws_secret_access_key")
    return known


def _parse_credentials(
    _ctx: click.Context, _param: click.Parameter, value: Path | None
) -> dict[str, str] | None:
    return _read_credentials(value) if value is not None else None


# Options both local emulators' serve commands take, spelled and explained once.
port_option = click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port."
)
state_option = click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file keeping the state between runs (in memory only when absent).",
)
latency_option = click.option(
    "--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Added latency per request."
)


@local_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@port_option
@state_option
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML seed of HITs, assignments and qualifications merged in at start.",
)
@latency_option
@click.option(
    "--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests per second before throttling."
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of requests answered with ServiceFault.",
)
@click.option(
    "--fault-seed", type=int, default=0, show_default=True, help="Seed making the random faults repeatable."
)
@click.option(
    "--fail-call",
    "fail_calls",
    multiple=True,
    callback=_parse_fail_calls,
    metavar="OP:K[:N[:ERROR]]",
    help="Fail the K-th call of OP (and the N-1 after it) with ERROR (default ServiceFault). Repeatable.",
)
@click.option("--clock", callback=_parse_clock, help="The emulator's time at start (ISO 8601); then it runs.")
@click.option(
    "--type-search-lag",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Trap: hide a new qualification type from ListQualificationTypes(Query=...) for SECONDS, as MTurk's index does.",
)
@click.option(
    "--empty-last-page",
    is_flag=True,
    help="Trap: a list whose last page is exactly full still gives a NextToken, then an empty page.",
)
@click.option(
    "--fill-requirement-defaults",
    is_flag=True,
    help="Trap: answer requirements with ActionsGuarded and RequiredToPreview filled in, as MTurk does.",
)
@click.option(
    "--credentials",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    callback=_parse_credentials,
    help="Trap: accept only the access keys of this AWS-credentials-format file, and check "
    "their signatures (unknown keys and bad signatures are answered as AWS answers them).",
)
def serve_command(
    *,
    host: str,
    port: int,
    state_path: Path | None,
    seed_path: Path | None,
    latency_ms: float,
    rate_limit: float | None,
    fail_rate: float,
    fault_seed: int,
    fail_calls: list[ScriptedFault],
    clock: datetime | None,
    type_search_lag: float,
    empty_last_page: bool,
    fill_requirement_defaults: bool,
    credentials: dict[str, str] | None,
) -> None:
    """Serve the local MTurk until stopped.

    The first line printed is the endpoint URL; point any AWS client at it. Stop with
    Ctrl-C or SIGTERM: the state file is written and the per-operation request counters
    are printed to stderr. Control endpoints live under URL/_local/ (see docs/local-mturk.md).

    \b
    Example:
      exclusions local serve --port 8443 --state local-mturk.json --seed seed.yaml
      aws mturk list-qualification-types --must-be-requestable \\
          --endpoint-url http://127.0.0.1:8443 --region us-east-1
    """
    try:
        emulator = LocalMTurk(
            state_path=state_path,
            seed_path=seed_path,
            host=host,
            port=port,
            latency_ms=latency_ms,
            rate_limit=rate_limit,
            fail_rate=fail_rate,
            fault_seed=fault_seed,
            clock=clock,
            type_search_lag=type_search_lag,
            empty_last_page=empty_last_page,
            fill_requirement_defaults=fill_requirement_defaults,
            credentials=credentials,
        )
        for fault in fail_calls:
            emulator.faults.add_scripted(fault)
        url = emulator.start()
    except (SeedError, StateError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        # A file the emulator could not read (the seed, the state) is named, never taken for the port.
        where = f"cannot read {exc.filename}" if exc.filename else f"cannot serve on {host}:{port}"
        click.echo(f"error: {where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    _serve_until_stopped(url, emulator, "local MTurk")


class _Served(Protocol):
    def stop(self) -> None: ...

    def counters(self) -> Any: ...


def _serve_until_stopped(url: str, emulator: _Served, name: str) -> None:
    """Print the URL (a script waits for that first line), serve until SIGTERM or Ctrl-C, then
    stop (which writes the state file) and print the request counters to stderr."""
    click.echo(url)
    sys.stdout.flush()

    stopping = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stopping.wait(0.5):
        pass
    emulator.stop()
    click.echo(f"{name} counters: {json.dumps(emulator.counters(), sort_keys=True)}", err=True)


@local_group.command("serve-prolific")
@port_option
@state_option
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML seed of Prolific studies and their submissions, added at start.",
)
@latency_option
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second before answering 429.",
)
@click.option(
    "--page-size", type=click.IntRange(min=1), default=100, show_default=True, help="Rows per listed page."
)
@click.option("--clock", callback=_parse_clock, help="The emulator's time (ISO 8601), fixed.")
def serve_prolific_command(
    *,
    port: int,
    state_path: Path | None,
    seed_path: Path | None,
    latency_ms: float,
    rate_limit: float | None,
    page_size: int,
    clock: datetime | None,
) -> None:
    """Serve the local Prolific on 127.0.0.1 until stopped.

    The first line printed is the API's base URL: point a target at it with
    `kind: prolific` and `endpoint_url: <URL>`; any token is accepted. Stop with
    Ctrl-C or SIGTERM: the state file is written and the request counters are
    printed to stderr. See docs/prolific.md.

    \b
    Example:
      exclusions local serve-prolific --port 8444 --seed exclusions/local-prolific-seed.yaml
      curl -H 'Authorization: Token any' \\
          'http://127.0.0.1:8444/api/v1/studies/ab0000000000000000000001/submissions/'
    """
    from reconciler.emulators.prolific import LocalProlific
    from reconciler.emulators.prolific import SeedError as ProlificSeedError

    try:
        emulator = LocalProlific(
            state_path=state_path,
            seed_path=seed_path,
            page_size=page_size,
            rate_limit=rate_limit,
            latency=latency_ms / 1000,
            port=port,
        )
        if clock is not None:
            emulator.set_clock(clock)
        url = emulator.start()
    except ProlificSeedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    _serve_until_stopped(url, emulator, "local Prolific")
