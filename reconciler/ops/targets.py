"""Opening a configured target as a ``Platform``: Prolific or MTurk, or their local emulators.

The one place that tells targets apart by their class: everything else asks the target's
``kind`` (``reconciler.kinds``). It is also the only product module, with ``ops.local_seed``,
that knows the emulators exist: a local target is started here, so nothing below ``ops/``
depends on them. boto3, httpx and the emulators are imported only when a target of theirs is
opened: ``validate`` and the answers need none of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reconciler.core.model import Target
from reconciler.core.problems import InvalidInput, Problem
from reconciler.kinds.hosts import is_loopback
from reconciler.kinds.mturk import LocalMTurkTarget, MTurkTarget
from reconciler.kinds.prolific import ProlificTarget
from reconciler.lab.yaml_files import as_problems
from reconciler.platform.base import Platform, PlatformError
from reconciler.platform.redact import redact

if TYPE_CHECKING:
    import httpx

    from reconciler.platform.prolific import ProlificPlatform

# Concurrent calls per run when the target sets no max_concurrency.
MTURK_CONCURRENCY = 16
PROLIFIC_CONCURRENCY = 8


def default_concurrency(target: Target) -> int:
    return PROLIFIC_CONCURRENCY if isinstance(target, ProlificTarget) else MTURK_CONCURRENCY


# The local MTurk ignores signatures; these only make boto3 sign requests as it would for AWS.
LOCAL_ACCESS_KEY = "AKIALOCALMTURKEXAMPLE"
LOCAL_SECRET_KEY = "local-mturk-accepts-any-signature"  # noqa: S105 - not a secret: a placeholder


@contextmanager
def open_target(target: Target) -> Iterator[Platform]:
    """The target as a platform for the duration of the block."""
    if isinstance(target, ProlificTarget):
        with open_prolific(target) as platform:
            yield platform
        return
    assert isinstance(target, LocalMTurkTarget | MTurkTarget), f"no way to open {target!r}"
    import boto3
    from botocore.exceptions import BotoCoreError

    from reconciler.platform.mturk import MTurkPlatform, make_client

    concurrency = target.limits.max_concurrency or MTURK_CONCURRENCY
    if isinstance(target, LocalMTurkTarget):
        from reconciler.emulators.mturk import LocalMTurk, SeedError, StateError

        target.state_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = LocalMTurk(state_path=target.state_path, seed_path=target.seed_path)
            endpoint = server.start()
        except SeedError as error:  # its problems, each at its line, like any other file's
            raise InvalidInput(as_problems(error.findings)) from None
        except StateError as error:  # e.g. `exclusions local serve` is serving this state
            raise PlatformError(f"cannot use target '{target.name}': {error}") from None
        try:
            session = boto3.Session(
                aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY
            )
            client = make_client(
                session,
                endpoint_url=endpoint,
                region="us-east-1",
                max_concurrency=concurrency,
                rate_limit=target.limits.rate_limit,
            )
            yield MTurkPlatform(client, target=target.name)
        finally:
            server.stop()
        return
    refuse_cleartext(target.name, target.endpoint_url)
    try:
        session = boto3.Session(profile_name=target.profile) if target.profile else boto3.Session()
        credentials = session.get_credentials()
    except BotoCoreError as error:  # e.g. the profile does not exist
        raise PlatformError(f"cannot use target '{target.name}': {redact(str(error))}") from None
    frozen = credentials.get_frozen_credentials() if credentials else None
    secrets = tuple(v for v in (frozen.secret_key, frozen.token) if v) if frozen else ()
    client = make_client(
        session,
        endpoint_url=target.endpoint_url,
        region=target.region,
        max_concurrency=concurrency,
        rate_limit=target.limits.rate_limit,
    )
    yield MTurkPlatform(client, target=target.name, secrets=secrets)


def seed_problems(target: Target) -> list[Problem]:
    """The problems of a local target's seed file, as its emulator reads it."""
    if isinstance(target, LocalMTurkTarget) and target.seed_path is not None:
        from reconciler.emulators.mturk.seed import SeedError, load_seed

        try:
            load_seed(target.seed_path)
        except SeedError as error:
            return as_problems(error.findings)
    return []


def refuse_cleartext(name: str, endpoint_url: str) -> None:
    """An endpoint other than HTTPS would carry the signed requests and the session token in
    clear; plain HTTP is only for a local MTurk on this machine (loopback)."""
    parts = urlsplit(endpoint_url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    raise PlatformError(
        f"target '{name}': endpoint_url {parts.scheme or '(no scheme)'}://{parts.hostname or ''} "
        "is not HTTPS, so the session token would travel in clear; use an https:// endpoint "
        "(plain http:// is accepted only for 127.0.0.1, ::1 or localhost) in exclusions/config.yaml"
    )


LOCAL_PROLIFIC_TOKEN = "local-prolific-accepts-any-token"  # noqa: S105 - not a secret: a placeholder


@contextmanager
def open_prolific(target: ProlificTarget) -> Iterator[ProlificPlatform]:
    """Prolific, or the embedded local Prolific for a ``local: true`` target."""
    from reconciler.platform import prolific

    concurrency = target.limits.max_concurrency or PROLIFIC_CONCURRENCY
    if target.local:
        from reconciler.emulators.prolific import LocalProlific, SeedError

        try:
            server = LocalProlific(state_path=target.state_path, seed_path=target.seed_path)
        except SeedError as error:
            raise InvalidInput(
                [Problem(error.path, problem, "correct the seed file") for problem in error.problems]
            ) from None
        endpoint = server.start()
        try:
            with prolific.make_client(endpoint, LOCAL_PROLIFIC_TOKEN, concurrency) as client:
                yield _prolific_platform(client, target)
        finally:
            server.stop()
        return
    token = os.environ.get(target.token_env, "")
    if not token:
        raise PlatformError(
            f"cannot use target '{target.name}': set the environment variable {target.token_env} "
            "to a Prolific API token (Prolific: Settings, API tokens)"
        )
    with prolific.make_client(target.base_url, token, concurrency) as client:
        yield _prolific_platform(client, target)


def _prolific_platform(client: httpx.Client, target: ProlificTarget) -> ProlificPlatform:
    from reconciler.platform import prolific

    return prolific.ProlificPlatform(
        client,
        target=target.name,
        workspace_id=target.workspace_id,
        project_id=target.project_id,
        max_attempts=prolific.max_attempts(),
    )
