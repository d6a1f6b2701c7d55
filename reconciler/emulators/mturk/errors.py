"""Errors the emulator answers with, in the AWS JSON 1.1 wire form.

Every failure a request can meet is an ``ApiError``; the server turns it into the
status code and ``{"__type": ..., "Message": ...}`` body AWS would send, so botocore
parses it into ``ClientError`` with the same ``Code`` as against the real service.
"""

from __future__ import annotations

from typing import Any

# Coral (the AWS service framework behind MTurk) prefixes its framework-level errors with
# this namespace; botocore strips everything up to '#', so the Code stays e.g.
# "UnknownOperationException".
CORAL = "com.amazon.coral.service#"


class ApiError(Exception):
    """An error answer: HTTP status, ``__type``, message and optional TurkErrorCode."""

    def __init__(
        self,
        error_type: str,
        message: str,
        *,
        status: int = 400,
        turk_error_code: str | None = None,
        message_key: str = "Message",
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status
        self.turk_error_code = turk_error_code
        # AWS framework errors (throttling, auth, serialization) spell it "message";
        # MTurk's own modelled errors (RequestError, ServiceFault) spell it "Message".
        self.message_key = message_key

    @property
    def code(self) -> str:
        """The code botocore reports (the ``__type`` without any namespace prefix)."""
        return self.error_type.rsplit("#", 1)[-1]

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"__type": self.error_type, self.message_key: self.message}
        if self.turk_error_code is not None:
            payload["TurkErrorCode"] = self.turk_error_code
        return payload


def request_error(message: str, turk_error_code: str) -> ApiError:
    """MTurk's client-side error: 400 ``RequestError`` with a ``TurkErrorCode``."""
    return ApiError("RequestError", message, turk_error_code=turk_error_code)


def service_fault(message: str = "We encountered an unexpected error. Please try again.") -> ApiError:
    """MTurk's server-side error: 500 ``ServiceFault``."""
    return ApiError("ServiceFault", message, status=500, turk_error_code="AWS.ServiceUnavailable")


def throttling() -> ApiError:
    """What AWS answers a caller over its request rate."""
    return ApiError("ThrottlingException", "Rate exceeded", message_key="message")


def validation_error(problems: list[str]) -> ApiError:
    """A request that violates the operation's input shape, worded as AWS words it."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return ApiError(
        "ValidationException",
        f"{count} validation {noun} detected: " + "; ".join(problems),
        message_key="message",
    )


def serialization_error(message: str) -> ApiError:
    return ApiError(CORAL + "SerializationException", message, message_key="message")


def unknown_operation() -> ApiError:
    return ApiError(CORAL + "UnknownOperationException", "", message_key="message")


def unsupported_operation(operation: str) -> ApiError:
    # Deliberately neither RequestError nor ServiceFault: a client must not mistake a gap
    # in the emulator for a real MTurk answer, nor retry it.
    return ApiError(
        "UnsupportedOperationException",
        f"The local MTurk does not implement {operation}; "
        "see docs/local-mturk.md for the operations it emulates.",
    )
