"""botocore's own model of MTurk: which operations exist, input validation, output shaping.

Nothing here hand-writes a shape. Requests are checked against the operation's input
shape (botocore's ParamValidator for required members and types, plus the constraints it
leaves to the service: max, pattern, enum) and answers are serialised through the output
shape, so any AWS SDK parses them exactly as it parses real MTurk's.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator

from reconciler.emulators.mturk.clock import utc

SERVICE_NAME = "mturk"


@cache
def service_model() -> ServiceModel:
    """The MTurk model shipped with the installed botocore (loaded once per process)."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def target_prefix() -> str:
    return str(service_model().metadata["targetPrefix"])


def operation_model(name: str) -> OperationModel | None:
    """The named operation, or None when MTurk has no such operation."""
    model = service_model()
    if name not in model.operation_names:
        return None
    return model.operation_model(name)


def _camel(name: str) -> str:
    # AWS validation messages name members in lower camel case ("maxResults").
    return name[:1].lower() + name[1:]


def _shape_constraints(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    """Check what botocore's ParamValidator skips: max, pattern and enum, recursively."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        for member, member_shape in shape.members.items():
            if member in value and value[member] is not None:
                sub = f"{path}.{_camel(member)}" if path else _camel(member)
                _shape_constraints(value[member], member_shape, sub, problems)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(
                f"Value at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        item_shape: Shape | None = getattr(shape, "member", None)
        if item_shape is not None:
            for index, item in enumerate(value):
                _shape_constraints(item, item_shape, f"{path}.{index + 1}.member", problems)
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        pattern = meta.get("pattern")
        if pattern is not None and re.search(pattern, value) is None:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}"
            )
        enum: list[str] = getattr(shape, "enum", [])
        if enum and value not in enum:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
    elif (
        kind in ("integer", "long")
        and isinstance(value, int)
        and not isinstance(value, bool)
        and "max" in meta
        and value > meta["max"]
    ):
        problems.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {meta['max']}"
        )


_VALIDATOR = ParamValidator()


def validate_input(operation: OperationModel, params: dict[str, Any]) -> list[str]:
    """Every way ``params`` violates the operation's input shape (empty when valid)."""
    shape = operation.input_shape
    if shape is None:
        return [] if not params else ["The operation takes no parameters"]
    report = _VALIDATOR.validate(params, shape)
    problems: list[str] = []
    if report.has_errors():
        # botocore's report starts with a "Parameter validation failed:" header line.
        lines = report.generate_report().splitlines()
        problems.extend(line.strip() for line in lines if line.strip())
    _shape_constraints(params, shape, "", problems)
    return problems


def _serialise(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        out: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            if member in value and value[member] is not None:
                out[member] = _serialise(value[member], member_shape)
        return out
    if kind == "list":
        member_shape = getattr(shape, "member")  # noqa: B009 - ListShape is untyped in botocore
        return [_serialise(item, member_shape) for item in value]
    if kind == "map":
        key_shape = getattr(shape, "key")  # noqa: B009
        value_shape = getattr(shape, "value")  # noqa: B009
        return {_serialise(k, key_shape): _serialise(v, value_shape) for k, v in value.items()}
    if kind == "timestamp":
        # The JSON protocol sends timestamps as epoch seconds.
        if isinstance(value, datetime):
            return utc(value).timestamp()
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    return str(value)


def serialise_output(operation: OperationModel, result: dict[str, Any]) -> dict[str, Any]:
    """``result`` reduced to the members of the operation's output shape, in wire form."""
    shape = operation.output_shape
    if shape is None:
        return {}
    serialised = _serialise(result, shape)
    assert isinstance(serialised, dict)
    return serialised
