"""Telling an endpoint on this machine (an emulator) from a platform's service on the network."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def on_loopback(url: str) -> bool:
    return is_loopback(urlsplit(url).hostname or "")
