"""The contract with Prolific: every request the tool sends to the local Prolific, and every answer
the local Prolific gives, validated against Prolific's own OpenAPI description of its API.

The OpenAPI file lives beside the checkout (``../shared/prolific/openapi.yaml``); the project does
not copy it. Its schemas are OpenAPI 3.0 (``nullable``, references into ``components``), turned
here into JSON Schema draft 4 for ``jsonschema``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.helpers import PROJECT
from tests.prolific_e2e import DECEPTION, ProlificLab, local_prolific, participant, study_id

OPENAPI = PROJECT.parent / "shared" / "prolific" / "openapi.yaml"


@cache
def openapi() -> dict[str, Any]:
    document: dict[str, Any] = YAML(typ="safe").load(OPENAPI)
    return document


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's schema dialect as JSON Schema draft 4: ``nullable`` allows null, and
    references point into ``definitions``."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if "$ref" in converted:
        converted["$ref"] = converted["$ref"].replace("#/components/schemas/", "#/definitions/")
        reference = {"$ref": converted["$ref"]}
        return {"anyOf": [reference, {"type": "null"}]} if node.get("nullable") else reference
    if node.get("nullable"):
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "type" not in converted and "enum" not in converted:
            return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def definitions() -> dict[str, Any]:
    return {name: to_json_schema(schema) for name, schema in openapi()["components"]["schemas"].items()}


def operation(method: str, path: str) -> dict[str, Any]:
    """The OpenAPI operation a request is for; fails the test when the API has none."""
    for template, operations in openapi()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            found: dict[str, Any] = operations[method.lower()]
            return found
    pytest.fail(f"{method} {path} is not an operation of Prolific's API")


def validate(instance: Any, schema: dict[str, Any], what: str) -> None:
    wrapped = {**to_json_schema(schema), "definitions": definitions()}
    errors = sorted(jsonschema.Draft4Validator(wrapped).iter_errors(instance), key=str)
    assert not errors, f"{what}: {errors[0].message} at {list(errors[0].absolute_path)}"


def check_exchange(requests: list[tuple[str, str, Any]], answers: list[tuple[str, str, int, Any]]) -> int:
    checked = 0
    for method, path, body in requests:
        spec = operation(method, path)
        if body is not None:
            assert "requestBody" in spec, f"{method} {path} takes no body in Prolific's API"
            validate(body, spec["requestBody"]["content"]["application/json"]["schema"], f"{method} {path}")
        checked += 1
    for method, path, status, body in answers:
        responses = operation(method, path)["responses"]
        assert str(status) in responses, f"{method} {path} answered {status}, which Prolific's API does not"
        content = responses[str(status)].get("content")
        if content is None:
            assert body is None, f"{method} {path} {status} has no body in Prolific's API"
            continue
        validate(body, content["application/json"]["schema"], f"answer to {method} {path}")
        checked += 1
    return checked


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def exploded_names(schema: dict[str, Any]) -> set[str] | None:
    """The keys an object-valued query parameter spreads into the query string (OpenAPI's default
    style, form with explode), or None when the parameter is not an object."""
    schema = resolve(schema)
    alternatives = [resolve(alternative) for alternative in schema.get("oneOf", schema.get("anyOf", []))]
    objects = [
        item for item in [schema, *alternatives] if item.get("type") == "object" or "properties" in item
    ]
    if not objects:
        return None
    return {name for item in objects for name in item.get("properties", {})}


def as_typed(value: str, schema: dict[str, Any]) -> Any:
    kind = resolve(schema).get("type")
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    return value


def check_queries(queries: list[tuple[str, str, str]], answers: list[tuple[str, str, int, Any]]) -> int:
    """Each query string the tool wrote itself names only the operation's query parameters, with
    values their schemas accept, and every required one. A next-page link the server gave is
    followed as given, as a client of Prolific must, so it is not the tool's to check."""
    followed = set()
    for _, _, _, body in answers:
        href = ((body or {}).get("_links") or {}).get("next", {}) if isinstance(body, dict) else {}
        if isinstance(href, dict) and href.get("href"):
            url = urlsplit(href["href"])
            followed.add((url.path, url.query))
    checked = 0
    for method, path, query in queries:
        if (path, query) in followed:
            continue
        given = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
        for parameter in operation(method, path).get("parameters", []):
            if parameter.get("in") != "query":
                continue
            names = exploded_names(parameter["schema"])
            if names is not None:
                spread = {key: given.pop(key) for key in list(given) if key in names}
                if spread or parameter.get("required"):
                    validate(spread, parameter["schema"], f"query {parameter['name']} of {method} {path}")
            elif parameter["name"] in given:
                value = as_typed(given.pop(parameter["name"]), parameter["schema"])
                validate(value, parameter["schema"], f"query {parameter['name']} of {method} {path}")
            else:
                assert not parameter.get("required"), f"{method} {path} lacks query {parameter['name']}"
        assert not given, f"{method} {path}?{query}: {sorted(given)} not a query parameter of Prolific's API"
        checked += 1
    return checked


def test_the_openapi_description_is_beside_the_checkout() -> None:
    assert OPENAPI.is_file(), (
        f"{OPENAPI} is missing: it is Prolific's API description the contract is checked against"
    )


def test_every_request_and_answer_follows_prolifics_api(tmp_path: Path) -> None:
    with local_prolific(tmp_path, page_size=2) as server:
        lab = ProlificLab(tmp_path / "lab", server)
        steps = [
            ("plan",),
            ("apply", "--auto-approve"),
            ("requirement", "deception"),
            ("lock",),
            ("import", "deception", "--study", "adopted"),
        ]
        for step in steps:
            if step[0] == "import":  # someone adds a member on Prolific's site: import adopts them
                group = lab.server.group_named(DECEPTION)
                assert group is not None
                lab.server.add_members(group, [participant(90)])
            run = lab.run(*step)
            assert run.status == 0, (step, run.output)
        lab.write_study("adopted", **{**lab.study("adopted"), "status": "released"})
        lab.write_study("moral-dilemmas-2026", **{**lab.study("moral-dilemmas-2026"), "participants": []})
        assert lab.run("apply", "--auto-approve").status == 0
        server.add_study(study_id(70), "An open study")
        assert lab.run("audit").status == 1
        methods = {method for method, _, _ in server.requests}
        assert methods == {"GET", "POST", "DELETE"}
        assert check_exchange(server.requests, server.answers) > 20
        assert check_queries(server.queries, server.answers) > 20
        assert any(query.startswith("workspace_id=") for _, _, query in server.queries)


def test_a_body_the_api_does_not_allow_is_caught() -> None:
    with pytest.raises(AssertionError, match="participant_ids"):
        check_exchange(
            [("POST", f"/api/v1/participant-groups/{study_id(1)}/participants/", {"participant_ids": "x"})],
            [],
        )
    with pytest.raises(pytest.fail.Exception, match="not an operation"):
        check_exchange([("PUT", "/api/v1/participant-groups/", None)], [])


def test_a_query_the_api_does_not_allow_is_caught() -> None:
    groups = "/api/v1/participant-groups/"
    assert check_queries([("GET", groups, f"workspace_id={study_id(1)}")], []) == 1
    with pytest.raises(AssertionError, match="query filter of GET"):
        check_queries([("GET", groups, "")], [])
    with pytest.raises(AssertionError, match="not a query parameter"):
        check_queries([("GET", groups, f"workspace={study_id(1)}&workspace_id={study_id(1)}")], [])
    with pytest.raises(AssertionError, match="query active"):
        check_queries([("GET", groups, f"workspace_id={study_id(1)}&active=yes")], [])
    # A next-page link the server gave is followed as given.
    page = {"results": [], "_links": {"next": {"href": f"http://x{groups}?page=2"}}}
    assert check_queries([("GET", groups, "page=2")], [("GET", groups, 200, page)]) == 0


def test_an_answer_the_api_does_not_allow_is_caught() -> None:
    group = {"id": study_id(1), "participant_count": "six"}
    with pytest.raises(AssertionError, match="participant_count"):
        check_exchange([], [("GET", f"/api/v1/participant-groups/{study_id(1)}/", 200, group)])
    submission = {"participant_id": "p", "status": "DONE", "started_at": "t", "has_siblings": False}
    with pytest.raises(AssertionError, match="status"):
        check_exchange(
            [], [("GET", f"/api/v1/studies/{study_id(1)}/submissions/", 200, {"results": [submission]})]
        )
