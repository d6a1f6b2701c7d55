"""Error text from a platform, made safe to print: no request headers, no credentials.

Some endpoints (a misconfigured proxy, a gateway) echo the request's headers in their error
message, and with them the signature and the session token. What reaches a log is the error's
own words, with anything shaped like a header value or a credential replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
MAX_MESSAGE = 500  # an error message longer than this is cut: it is not a message any more

# Header names and signature fields whose values are secret or identify the caller's keys.
_SECRET_FIELD = re.compile(
    r"(?i)\b(authorization|x-amz-security-token|x-amz-date|x-amz-content-sha256|"
    r"security-token|session-token|sessiontoken|credential|signature|signedheaders|"
    r"aws_secret_access_key|aws_session_token|aws_access_key_id|cookie)"
    # The value runs to the end of its quotes or its line: over-redacting costs nothing.
    r"(\"?\s*[:=]\s*[\"']?)[^\n\"']*"
)
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b")


def redact(message: str, secrets: Iterable[str] = ()) -> str:
    """``message`` without header values, access key IDs or any of ``secrets`` (the caller's
    own credentials, found however they were quoted), cut to a readable length."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            message = message.replace(secret, REDACTED)
    message = _SECRET_FIELD.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", message)
    message = _ACCESS_KEY.sub(REDACTED, message)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "… (cut)"
    return message
