"""Helpers shared by the local MTurk tests: clients, raw HTTP and small builders."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

# The fixed time of the `clocked` local MTurk (conftest.py).
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

ACCESS_KEY = "AKIDLOCALTEST"
TARGET = "MTurkRequesterServiceV20170117."


def make_client(
    url: str,
    *,
    key: str = ACCESS_KEY,
    secret: str = "fake-secret",
    retries: int | None = None,
    validate: bool = True,
) -> Any:
    config = Config(
        # total_max_attempts counts the first attempt; botocore's max_attempts counts only retries.
        retries={"total_max_attempts": retries, "mode": "standard"} if retries else None,
        parameter_validation=validate,
    )
    return boto3.client(
        "mturk",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=config,
    )


def error_of(call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def post(
    url: str, body: bytes | str, headers: dict[str, str], path: str = "/"
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """A raw HTTP POST, for requests no SDK would send."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), json.loads(data) if data else {}
    finally:
        connection.close()


def signed_headers(operation: str, key: str = ACCESS_KEY) -> dict[str, str]:
    """Headers shaped like a SigV4-signed AWS JSON 1.1 request (the signature is fake)."""
    return {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": TARGET + operation,
        "X-Amz-Date": "20260105T120000Z",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={key}/20260105/us-east-1/mturk-requester/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
        ),
    }


def admin(url: str, method: str, path: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=10)
    try:
        body = json.dumps(payload).encode() if payload is not None else None
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def create_type(client: Any, name: str = "Prior participant", **extra: Any) -> str:
    response = client.create_qualification_type(
        Name=name, Description="Took part in an earlier study", QualificationTypeStatus="Active", **extra
    )
    return str(response["QualificationType"]["QualificationTypeId"])


def create_hit(client: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "LifetimeInSeconds": 3600,
        "AssignmentDurationInSeconds": 600,
        "Reward": "0.50",
        "Title": "Trust game",
        "Description": "A short economic game",
        "Question": "<ExternalQuestion/>",
    }
    params.update(extra)
    return dict(client.create_hit(**params)["HIT"])


class Worker:
    """A simulated worker, driven through the local MTurk's ``/_local/workers/`` endpoints."""

    def __init__(self, url: str, worker_id: str) -> None:
        self.url = url
        self.worker_id = worker_id

    def _path(self, tail: str) -> str:
        return f"/_local/workers/{self.worker_id}/{tail}"

    def discovers(self) -> list[str]:
        status, body = admin(self.url, "GET", self._path("hits"))
        assert status == 200, body
        return [hit["hit_id"] for hit in body["hits"]]

    def preview(self, hit_id: str) -> tuple[int, Any]:
        return admin(self.url, "GET", self._path(f"hits/{hit_id}"))

    def accept(self, hit_id: str) -> tuple[int, Any]:
        return admin(self.url, "POST", self._path(f"hits/{hit_id}/accept"), {})

    def accepts(self, hit_id: str) -> str:
        """Accept, asserting it works; returns the assignment ID."""
        status, body = self.accept(hit_id)
        assert status == 200, body
        return str(body["assignment_id"])

    def submit(self, assignment_id: str, answer: str | None = None) -> tuple[int, Any]:
        return admin(self.url, "POST", self._path(f"assignments/{assignment_id}/submit"), {"answer": answer})

    def give_back(self, assignment_id: str) -> tuple[int, Any]:
        return admin(self.url, "POST", self._path(f"assignments/{assignment_id}/return"), {})

    def request_qualification(self, type_id: str) -> tuple[int, Any]:
        return admin(
            self.url, "POST", self._path("qualification-requests"), {"qualification_type_id": type_id}
        )
