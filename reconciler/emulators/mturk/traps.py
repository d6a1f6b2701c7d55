"""The real service's traps, each off unless a test turns it on.

The local MTurk is otherwise kinder than MTurk; these make it as awkward as the real
service in ways a client must cope with:

* ``empty_last_page``: when a list's last page is exactly full, MTurk still answers with
  a NextToken, and the call with that token returns an empty page (and no NextToken).
* ``fill_requirement_defaults``: MTurk answers a HIT's requirements with
  ``ActionsGuarded`` and ``RequiredToPreview`` filled in even when the HIT was created
  without them, so a client comparing requirements must not compare them as sent.
* ``type_search_lag``: a new qualification type is missing from ``ListQualificationTypes``
  searches (``Query=``) for this long after its creation, as MTurk's search index lags.
* ``credentials``: access keys the service knows, with their secrets. An unknown key is
  answered ``UnrecognizedClientException`` and a bad SigV4 signature
  ``InvalidSignatureException``, as AWS answers them. Without it any key is accepted.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from reconciler.emulators.mturk.errors import ApiError

_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_SIGNED_HEADERS = re.compile(r"SignedHeaders=([^,\s]+)")
_SIGNATURE = re.compile(r"Signature=([0-9a-f]+)")


@dataclass
class Traps:
    empty_last_page: bool = False
    fill_requirement_defaults: bool = False
    credentials: dict[str, str] | None = None  # access key ID -> secret access key
    type_search_lag: timedelta = timedelta(0)  # on the emulator's clock: tests move it, never wait

    def to_json(self) -> dict[str, Any]:
        return {
            "empty_last_page": self.empty_last_page,
            "fill_requirement_defaults": self.fill_requirement_defaults,
            # The keys only: a secret is never shown.
            "known_access_keys": sorted(self.credentials) if self.credentials is not None else None,
            "type_search_lag_seconds": self.type_search_lag.total_seconds(),
        }


def requirement_as_mturk_returns_it(requirement: dict[str, Any]) -> dict[str, Any]:
    guard = requirement.get("ActionsGuarded") or (
        "PreviewAndAccept" if requirement.get("RequiredToPreview") else "Accept"
    )
    return {
        **requirement,
        "ActionsGuarded": guard,
        "RequiredToPreview": bool(requirement.get("RequiredToPreview", guard != "Accept")),
    }


def check_credentials(
    credentials: Mapping[str, str], headers: Mapping[str, str], body: bytes, path: str
) -> None:
    """Refuse an unknown access key or a signature made with the wrong secret (SigV4)."""
    authorization = headers.get("authorization", "")
    scope, signed, given = (
        _SCOPE.search(authorization),
        _SIGNED_HEADERS.search(authorization),
        _SIGNATURE.search(authorization),
    )
    if scope is None or signed is None or given is None:
        return  # the protocol's own checks already refused a malformed header
    key, _date, region, service = scope.groups()
    secret = credentials.get(key)
    if secret is None:
        raise ApiError(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            message_key="message",
        )
    names = signed.group(1).split(";")
    request = AWSRequest(
        method="POST",
        url=f"http://{headers.get('host', 'localhost')}{path}",
        data=body,
        headers={name: headers.get(name, "") for name in names},
    )
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(key, secret), service, region)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if not hmac.compare_digest(expected, given.group(1)):
        raise ApiError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your "
            "AWS Secret Access Key and signing method. Consult the service documentation for details.",
            message_key="message",
        )
