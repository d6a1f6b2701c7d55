"""Workers' requests for qualifications, and deleting a qualification type.

Workers ask through the ``/_local/`` worker endpoints (see ``workers``); the requester
answers with ListQualificationRequests, AcceptQualificationRequest and
RejectQualificationRequest as on MTurk.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.emulators.mturk.clock import iso, parse_iso
from reconciler.emulators.mturk.operations import (
    Context,
    Handler,
    _index_page,
    _owned_type,
)
from reconciler.emulators.mturk.state import Qualification

REQUEST = "qualification-request"
DISPOSING = "Disposing"  # what MTurk shows while it deletes a type (up to 48 hours)


def delete_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The type stops being usable at once; its holders keep their grants, pending requests
    are rejected, and its name stays taken (MTurk frees it only when disposal completes)."""
    qt = _owned_type(ctx, params["QualificationTypeId"])
    if qt.status == DISPOSING:
        raise ctx.fail(
            f"QualificationType {qt.id} is already being deleted.",
            "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
        )
    for key, request in list(ctx.state.entries.get(REQUEST, {}).items()):
        if request["type_id"] == qt.id:
            ctx.records.append(ctx.state.put_entry(REQUEST, key, None))
    ctx.records.append(ctx.state.put_qualification_type(replace(qt, status=DISPOSING)))
    return {}


def add_request(ctx: Context, type_id: str, worker_id: str) -> str:
    """A worker asks for a qualification (from the worker endpoints); returns the request ID."""
    request_id, counter_record = ctx.state.next_id("qualification-request")
    request = {"type_id": type_id, "worker_id": worker_id, "at": iso(ctx.now)}
    ctx.records += [counter_record, ctx.state.put_entry(REQUEST, request_id, request)]
    return request_id


def _request_view(request_id: str, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "QualificationRequestId": request_id,
        "QualificationTypeId": request["type_id"],
        "WorkerId": request["worker_id"],
        "SubmitTime": parse_iso(request["at"]),
    }


def list_qualification_requests(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    type_id = params.get("QualificationTypeId")
    if type_id is not None:
        _owned_type(ctx, type_id)
    mine = [
        _request_view(request_id, request)
        for request_id, request in sorted(ctx.state.entries.get(REQUEST, {}).items())
        if (type_id is None or request["type_id"] == type_id)
        and ctx.state.qualification_types[request["type_id"]].owner == ctx.requester
    ]
    page, token = _index_page(ctx, params, mine, "qualification-requests", f"{ctx.requester}:{type_id}")
    return {"NumResults": len(page), "NextToken": token, "QualificationRequests": page}


def _request(ctx: Context, request_id: str) -> dict[str, Any]:
    request = ctx.state.entries.get(REQUEST, {}).get(request_id)
    if request is None or ctx.state.qualification_types[request["type_id"]].owner != ctx.requester:
        raise ctx.fail(
            f"QualificationRequest {request_id} does not exist.",
            "AWS.MechanicalTurk.QualificationRequestDoesNotExist",
        )
    return request


def accept_qualification_request(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    request = _request(ctx, params["QualificationRequestId"])
    qualification = Qualification(
        worker_id=request["worker_id"],
        value=int(params.get("IntegerValue", 1)),
        status="Granted",
        granted=ctx.now,
    )
    ctx.records += [
        ctx.state.put_holder(request["type_id"], qualification),
        ctx.state.put_entry(REQUEST, params["QualificationRequestId"], None),
    ]
    return {}


def reject_qualification_request(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _request(ctx, params["QualificationRequestId"])
    ctx.records.append(ctx.state.put_entry(REQUEST, params["QualificationRequestId"], None))
    return {}


HANDLERS: dict[str, Handler] = {
    "DeleteQualificationType": delete_qualification_type,
    "ListQualificationRequests": list_qualification_requests,
    "AcceptQualificationRequest": accept_qualification_request,
    "RejectQualificationRequest": reject_qualification_request,
}
