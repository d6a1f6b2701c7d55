"""Opening a configured target as a ``Platform``: the local MTurk in-process, or MTurk itself.

This is the only product module that knows the emulators exist: a local target is started
here (and its seed checked by ``ops.local_seed``), so nothing below ``ops/`` depends on them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError

from reconciler.core.model import LocalTarget, Target
from reconciler.platform.base import PlatformError
from reconciler.platform.mturk import DEFAULT_CONCURRENCY, MTurkPlatform, make_client
from reconciler.platform.redact import redact

__all__ = ["DEFAULT_CONCURRENCY", "open_target"]
from reconciler.core.problems import InvalidInput

# The local MTurk ignores signatures; these only make boto3 sign requests as it would for AWS.
LOCAL_ACCESS_KEY = "AKIALOCALMTURKEXAMPLE"
LOCAL_SECRET_KEY = "local-mturk-accepts-any-signature"  # noqa: S105 - not a secret: a placeholder


@contextmanager
def open_target(target: Target) -> Iterator[MTurkPlatform]:
    """The target as a platform for the duration of the block."""
    concurrency = target.limits.max_concurrency or DEFAULT_CONCURRENCY
    if isinstance(target, LocalTarget):
        from reconciler.emulators.mturk import LocalMTurk, SeedError, StateError

        target.state_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = LocalMTurk(state_path=target.state_path, seed_path=target.seed_path)
            endpoint = server.start()
        except SeedError as error:  # its problems, each at its line, like any other file's
            raise InvalidInput(error.problems) from None
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


def refuse_cleartext(name: str, endpoint_url: str) -> None:
    """An endpoint other than HTTPS would carry the signed requests and the session token in
    clear; plain HTTP is only for a local MTurk on this machine (loopback)."""
    parts = urlsplit(endpoint_url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _loopback(parts.hostname or ""):
        return
    raise PlatformError(
        f"target '{name}': endpoint_url {parts.scheme or '(no scheme)'}://{parts.hostname or ''} "
        "is not HTTPS, so the session token would travel in clear; use an https:// endpoint "
        "(plain http:// is accepted only for 127.0.0.1, ::1 or localhost) in exclusions/config.yaml"
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
