"""The AWS JSON 1.1 protocol as MTurk speaks it: from an HTTP request to an HTTP answer.

Checks run in the order AWS runs them: authentication, target, content type, body;
then the injected faults, the operation's input shape, and finally the operation itself.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulators.mturk import model
from reconciler.emulators.mturk.counters import Counters
from reconciler.emulators.mturk.dispatch import Operations
from reconciler.emulators.mturk.errors import (
    CORAL,
    ApiError,
    serialization_error,
    service_fault,
    unknown_operation,
    validation_error,
)
from reconciler.emulators.mturk.faults import Faults
from reconciler.emulators.mturk.traps import check_credentials

CONTENT_TYPE = "application/x-amz-json-1.1"
ACCEPTED_CONTENT_TYPES = frozenset({"application/x-amz-json-1.1", "application/x-amz-json-1.0"})
_log = logging.getLogger(__name__)
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _json_answer(status: int, payload: Mapping[str, Any], request_id: str) -> Answer:
    return Answer(
        status,
        json.dumps(payload, separators=(",", ":")).encode(),
        {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id},
    )


def access_key_id(headers: Mapping[str, str]) -> str:
    """The access key of a SigV4 ``Authorization`` header (the signature is not verified)."""
    authorization = headers.get("authorization")
    if not authorization:
        raise ApiError(
            CORAL + "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
            message_key="message",
        )
    match = _CREDENTIAL.search(authorization)
    problems = []
    if not authorization.startswith("AWS4-HMAC-SHA256 ") or match is None:
        problems.append("Authorization header requires 'Credential' parameter.")
    if "Signature=" not in authorization:
        problems.append("Authorization header requires 'Signature' parameter.")
    if "SignedHeaders=" not in authorization:
        problems.append("Authorization header requires 'SignedHeaders' parameter.")
    if not headers.get("x-amz-date") and not headers.get("date"):
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise ApiError(
            CORAL + "IncompleteSignatureException",
            " ".join(problems) + f" Authorization={authorization}",
            message_key="message",
        )
    assert match is not None
    return match.group(1)


class Protocol:
    """Answers AWS requests; counts each outcome per operation."""

    def __init__(self, operations: Operations, faults: Faults, counters: Counters) -> None:
        self.operations = operations
        self.faults = faults
        self.counters = counters
        self._prefix = model.target_prefix() + "."

    def handle(self, headers: Mapping[str, str], body: bytes, path: str = "/") -> Answer:
        """Answer one request; ``headers`` has lower-case names."""
        request_id = str(uuid.uuid4())
        operation: str | None = None
        try:
            key = access_key_id(headers)
            credentials = self.operations.traps.credentials
            if credentials is not None:
                check_credentials(credentials, headers, body, path)
            target = headers.get("x-amz-target", "")
            if not target.startswith(self._prefix):
                raise unknown_operation()
            name = target[len(self._prefix) :]
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in ACCEPTED_CONTENT_TYPES:
                raise serialization_error(
                    f"Unsupported Content-Type {content_type or '(none)'!r}: expected {CONTENT_TYPE}"
                )
            operation_model = model.operation_model(name)
            if operation_model is None:
                raise unknown_operation()
            operation = name
            self.faults.delay()
            fault = self.faults.check(name)
            if fault is not None:
                raise fault
            params = self._decode(body)
            problems = model.validate_input(operation_model, params)
            if problems:
                raise validation_error(problems)
            result = self.operations.call(name, key, params)
            payload = model.serialise_output(operation_model, result)
        except ApiError as error:
            if operation is not None:
                self.counters.count(
                    operation, "throttled" if error.code == "ThrottlingException" else "failed"
                )
            return _json_answer(error.status, error.body(), request_id)
        except Exception:
            # A bug in the emulator: answer as MTurk answers its own failures, and say so.
            _log.exception("local MTurk failed on %s", operation)
            if operation is not None:
                self.counters.count(operation, "failed")
            fault = service_fault("Internal error in the local MTurk (see its log).")
            return _json_answer(fault.status, fault.body(), request_id)
        self.counters.count(name, "served")
        return _json_answer(200, payload, request_id)

    @staticmethod
    def _decode(body: bytes) -> dict[str, Any]:
        if not body.strip():
            return {}
        try:
            params = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise serialization_error(f"Request body is not valid JSON: {exc}") from None
        if not isinstance(params, dict):
            raise serialization_error("Request body must be a JSON object")
        return params
