"""The AWS JSON 1.1 wire protocol: authentication, targets, bodies, validation, error shapes."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse

import botocore.session
import pytest

from reconciler.emulators.mturk import LocalMTurk
from reconciler.emulators.mturk.dispatch import HANDLERS
from tests.local_mturk.support import ACCESS_KEY, TARGET, code, create_type, error_of, post, signed_headers


def test_missing_authorization_is_refused_as_aws_refuses_it(local: LocalMTurk) -> None:
    headers = signed_headers("ListHITs")
    del headers["Authorization"]
    status, _, body = post(local.endpoint_url, "{}", headers)
    assert status == 400
    assert body["__type"].endswith("#MissingAuthenticationTokenException")
    assert body["message"] == "Request is missing Authentication Token"


def test_authorization_without_credential_is_an_incomplete_signature(local: LocalMTurk) -> None:
    headers = signed_headers("ListHITs")
    headers["Authorization"] = "AWS4-HMAC-SHA256 Signature=abc"
    status, _, body = post(local.endpoint_url, "{}", headers)
    assert status == 400
    assert body["__type"].endswith("#IncompleteSignatureException")
    assert "Credential" in body["message"]
    assert "SignedHeaders" in body["message"]


def test_unknown_operation_is_answered_as_an_unknown_target(local: LocalMTurk) -> None:
    status, _, body = post(local.endpoint_url, "{}", signed_headers("FrobnicateWorkers"))
    assert status == 400
    assert body["__type"] == "com.amazon.coral.service#UnknownOperationException"


def test_missing_target_is_an_unknown_operation(local: LocalMTurk) -> None:
    headers = signed_headers("ListHITs")
    del headers["X-Amz-Target"]
    status, _, body = post(local.endpoint_url, "{}", headers)
    assert status == 400
    assert body["__type"].endswith("#UnknownOperationException")


def test_every_operation_of_botocores_model_is_emulated() -> None:
    service = botocore.session.get_session().get_service_model("mturk")
    assert sorted(service.operation_names) == sorted(HANDLERS)


def test_wrong_content_type_is_refused(local: LocalMTurk) -> None:
    headers = signed_headers("ListHITs")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, _, body = post(local.endpoint_url, "{}", headers)
    assert status == 400
    assert body["__type"].endswith("#SerializationException")
    assert "application/x-amz-json-1.1" in body["message"]


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(local: LocalMTurk, payload: str) -> None:
    status, _, body = post(local.endpoint_url, payload, signed_headers("ListHITs"))
    assert status == 400
    assert body["__type"].endswith("#SerializationException")


def test_successful_answers_carry_aws_headers(local: LocalMTurk) -> None:
    status, headers, body = post(local.endpoint_url, "{}", signed_headers("ListHITs"))
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert len(headers["x-amzn-RequestId"]) == 36
    assert body == {"NumResults": 0, "HITs": []}


def test_missing_required_parameter_is_a_validation_exception(raw_client: Any) -> None:
    error = error_of(lambda: raw_client.get_hit())
    assert code(error) == "ValidationException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "HITId" in error.response["Error"]["Message"]


def test_wrong_type_is_a_validation_exception(local: LocalMTurk) -> None:
    body = json.dumps({"QualificationTypeId": "3ABC", "MaxResults": "ten"})
    status, _, answer = post(local.endpoint_url, body, signed_headers("ListWorkersWithQualificationType"))
    assert status == 400
    assert answer["__type"] == "ValidationException"
    assert "MaxResults" in answer["message"]


def test_must_be_requestable_is_required_by_the_model(raw_client: Any) -> None:
    error = error_of(lambda: raw_client.list_qualification_types())
    assert code(error) == "ValidationException"
    assert "MustBeRequestable" in error.response["Error"]["Message"]


@pytest.mark.parametrize(("value", "phrase"), [(0, "min"), (101, "less than or equal to 100")])
def test_max_results_outside_1_to_100_is_refused(raw_client: Any, value: int, phrase: str) -> None:
    type_id = create_type(raw_client)
    error = error_of(
        lambda: raw_client.list_workers_with_qualification_type(QualificationTypeId=type_id, MaxResults=value)
    )
    assert code(error) == "ValidationException"
    assert phrase in error.response["Error"]["Message"]


def test_malformed_worker_id_fails_the_models_pattern(client: Any) -> None:
    type_id = create_type(client)
    error = error_of(
        lambda: client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="worker-1")
    )
    assert code(error) == "ValidationException"
    assert "^A[A-Z0-9]+$" in error.response["Error"]["Message"]


def test_bad_enum_value_is_refused(client: Any) -> None:
    error = error_of(
        lambda: client.create_qualification_type(Name="x", Description="y", QualificationTypeStatus="Dormant")
    )
    assert code(error) == "ValidationException"
    assert "enum" in error.response["Error"]["Message"]


def test_request_error_carries_turk_error_code_for_botocore(client: Any) -> None:
    error = error_of(lambda: client.get_hit(HITId="3NOSUCHHIT"))
    assert code(error) == "RequestError"
    assert error.response["TurkErrorCode"] == "AWS.MechanicalTurk.HITDoesNotExist"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_keep_alive_serves_several_requests_on_one_connection(local: LocalMTurk) -> None:
    parsed = urlparse(local.endpoint_url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("POST", "/", body="{}", headers=signed_headers("ListHITs"))
            response = connection.getresponse()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(response.read())
        assert connection.sock is not None  # still the same open connection
    finally:
        connection.close()


def test_requester_comes_from_the_credential_scope(local: LocalMTurk) -> None:
    # The signature is not verified; only the access key in the Credential matters.
    headers = signed_headers("CreateQualificationType", key=ACCESS_KEY)
    assert headers["X-Amz-Target"].startswith(TARGET)
    payload = json.dumps({"Name": "n", "Description": "d", "QualificationTypeStatus": "Active"})
    status, _, body = post(local.endpoint_url, payload, headers)
    assert status == 200
    assert body["QualificationType"]["Name"] == "n"
    assert isinstance(body["QualificationType"]["CreationTime"], float)
