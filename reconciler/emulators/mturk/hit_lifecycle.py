"""What a requester does to a HIT after creating it: extend, expire, review, retype, dispose,
and decide its assignments.

Semantics follow AWS's MTurk API reference; each handler checks everything before it
mutates, as ``operations`` explains.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulators.mturk.clock import parse_iso
from reconciler.emulators.mturk.operations import (
    INVALID_PARAMETER,
    MAX_SECONDS,
    TOKEN_LIFETIME,
    Context,
    Handler,
    _assignment_view,
    _disposed,
    _hit,
    _hit_view,
    _index_page,
    _owned_type,
    assignment_status,
    hit_status,
)
from reconciler.emulators.mturk.state import HIT, Assignment

# MTurk charges a 20% commission on HITs with fewer than 10 assignments and 40% from 10
# on, so it refuses to take a HIT across that line by adding assignments.
COMMISSION_STEP = 10


def _timestamp(ctx: Context, value: Any, name: str) -> datetime:
    """A timestamp member as the JSON protocol sends it (epoch seconds) or as ISO 8601."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        return parse_iso(str(value))
    except (ValueError, OverflowError, OSError):
        raise ctx.fail(f"{name} is not a valid time: {value!r}.", INVALID_PARAMETER) from None


def update_expiration_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """A time in the past expires the HIT now; a later time reopens an expired HIT."""
    hit = _hit(ctx, params["HITId"])
    expire_at = _timestamp(ctx, params["ExpireAt"], "ExpireAt")
    if expire_at > ctx.now + timedelta(seconds=MAX_SECONDS):
        raise ctx.fail("ExpireAt must be no more than one year from now.", INVALID_PARAMETER)
    updated = replace(hit, expiration=max(expire_at, ctx.now))
    ctx.records.append(ctx.state.put_hit(updated))
    return {}


def create_additional_assignments_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, params["HITId"])
    extra = int(params["NumberOfAdditionalAssignments"])
    if extra < 1:
        raise ctx.fail("NumberOfAdditionalAssignments must be at least 1.", INVALID_PARAMETER)
    total = hit.max_assignments + extra
    if hit.max_assignments < COMMISSION_STEP <= total:
        raise ctx.fail(
            f"HITs created with fewer than {COMMISSION_STEP} assignments cannot be extended to have "
            f"{COMMISSION_STEP} or more assignments.",
            "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease",
        )
    token = params.get("UniqueRequestToken")
    token_key = f"extend:{token}" if token is not None else None
    if token_key is not None and token_key in ctx.state.request_tokens:
        earlier_hit, at = ctx.state.request_tokens[token_key]
        if ctx.now < at + TOKEN_LIFETIME:
            raise ctx.fail(
                f"HIT {earlier_hit} was already extended with UniqueRequestToken {token}.",
                "AWS.MechanicalTurk.ExtendHITAlreadyExists",
            )
    ctx.records.append(ctx.state.put_hit(replace(hit, max_assignments=total)))
    if token_key is not None:
        ctx.records.append(ctx.state.put_request_token(token_key, hit.id, ctx.now))
    return {}


def update_hit_review_status(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Reviewable -> Reviewing, or with ``Revert`` back from Reviewing to Reviewable."""
    hit = _hit(ctx, params["HITId"])
    revert = bool(params.get("Revert", False))
    status = hit_status(ctx, hit)
    expected = "Reviewing" if revert else "Reviewable"
    if status != expected:
        raise ctx.fail(
            f"The HIT {hit.id} is {status}; only a {expected} HIT can be "
            f"{'reverted to Reviewable' if revert else 'set to Reviewing'}.",
            "AWS.MechanicalTurk.InvalidHITState",
        )
    ctx.records.append(ctx.state.put_hit(replace(hit, reviewing=not revert)))
    return {}


def update_hit_type_of_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, params["HITId"])
    hit_type = ctx.state.hit_types.get(params["HITTypeId"])
    if hit_type is None or hit_type.owner != ctx.requester:
        raise ctx.fail(
            f"HITType {params['HITTypeId']} does not exist.", "AWS.MechanicalTurk.HITTypeDoesNotExist"
        )
    updated = replace(
        hit,
        hit_type_id=hit_type.id,
        title=hit_type.title,
        description=hit_type.description,
        reward=hit_type.reward,
        keywords=hit_type.keywords,
        assignment_duration=hit_type.assignment_duration,
        auto_approval_delay=hit_type.auto_approval_delay or 0,
        qualification_requirements=hit_type.qualification_requirements,
    )
    ctx.records.append(ctx.state.put_hit(updated))
    return {}


def delete_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Only a Reviewable HIT whose submitted assignments are all approved or rejected."""
    hit = _hit(ctx, params["HITId"])
    status = hit_status(ctx, hit)
    undecided = sum(1 for a in hit.assignments if assignment_status(ctx, hit, a) == "Submitted")
    if status not in ("Reviewable", "Reviewing") or undecided:
        why = (
            f"it is {status}"
            if status not in ("Reviewable", "Reviewing")
            else f"{undecided} submitted assignment(s) are neither approved nor rejected"
        )
        raise ctx.fail(
            f"This HIT is currently in the state '{status}'. This operation can be called with a status "
            f"of: Reviewable, Reviewing, with all submitted assignments approved or rejected ({why}).",
            "AWS.MechanicalTurk.InvalidHITState",
        )
    ctx.records.append(ctx.state.put_hit(replace(hit, deleted=True)))
    return {}


def _listed_hits(ctx: Context) -> list[HIT]:
    return sorted(
        (
            hit
            for hit in ctx.state.hits.values()
            if hit.owner == ctx.requester and not hit.deleted and not _disposed(ctx, hit)
        ),
        key=lambda hit: (hit.created.timestamp(), hit.id),
    )


def list_reviewable_hits(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    wanted = params.get("Status", "Reviewable")
    type_id = params.get("HITTypeId")
    matching = [
        h
        for h in _listed_hits(ctx)
        if hit_status(ctx, h) == wanted and (type_id is None or h.hit_type_id == type_id)
    ]
    scope = json.dumps([ctx.requester, wanted, type_id])
    page, token = _index_page(ctx, params, matching, "reviewable-hits", scope)
    return {"NumResults": len(page), "NextToken": token, "HITs": [_hit_view(ctx, h) for h in page]}


def list_hits_for_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    matching = [
        h
        for h in _listed_hits(ctx)
        if any(r.get("QualificationTypeId") == qt.id for r in h.qualification_requirements)
    ]
    page, token = _index_page(ctx, params, matching, "hits-for-type", f"{ctx.requester}:{qt.id}")
    return {"NumResults": len(page), "NextToken": token, "HITs": [_hit_view(ctx, h) for h in page]}


def _assignment(ctx: Context, assignment_id: str) -> tuple[HIT, Assignment]:
    for hit in ctx.state.hits.values():
        if hit.owner != ctx.requester or hit.deleted or _disposed(ctx, hit):
            continue
        for assignment in hit.assignments:
            if assignment.id == assignment_id:
                return hit, assignment
    raise ctx.fail(f"Assignment {assignment_id} does not exist.", "AWS.MechanicalTurk.AssignmentDoesNotExist")


def get_assignment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit, assignment = _assignment(ctx, params["AssignmentId"])
    if assignment_status(ctx, hit, assignment) not in ("Submitted", "Approved", "Rejected"):
        # Work in progress, returned or abandoned is not the requester's to see.
        raise ctx.fail(
            f"Assignment {assignment.id} does not exist.", "AWS.MechanicalTurk.AssignmentDoesNotExist"
        )
    return {"Assignment": _assignment_view(ctx, hit, assignment), "HIT": _hit_view(ctx, hit)}


def _decide(ctx: Context, hit: HIT, updated: Assignment) -> None:
    assignments = [updated if a.id == updated.id else a for a in hit.assignments]
    ctx.records.append(ctx.state.put_hit(replace(hit, assignments=assignments)))


def approve_assignment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit, assignment = _assignment(ctx, params["AssignmentId"])
    status = assignment_status(ctx, hit, assignment)
    override = bool(params.get("OverrideRejection", False))
    if not (status == "Submitted" or (status == "Rejected" and override)):
        # MTurk's words exactly (Dallinger's logs show them): the status it found is not named.
        raise ctx.fail(
            "This operation can be called with a status of: Submitted",
            "AWS.MechanicalTurk.InvalidAssignmentState",
        )
    feedback = params.get("RequesterFeedback", assignment.feedback)
    _decide(
        ctx, hit, replace(assignment, status="Approved", approved=ctx.now, rejected=None, feedback=feedback)
    )
    return {}


def reject_assignment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit, assignment = _assignment(ctx, params["AssignmentId"])
    status = assignment_status(ctx, hit, assignment)
    if status != "Submitted":  # an auto-approved assignment can no longer be rejected
        # MTurk's words exactly (Dallinger's logs show them): the status it found is not named.
        raise ctx.fail(
            "This operation can be called with a status of: Submitted",
            "AWS.MechanicalTurk.InvalidAssignmentState",
        )
    _decide(
        ctx,
        hit,
        replace(assignment, status="Rejected", rejected=ctx.now, feedback=params["RequesterFeedback"]),
    )
    return {}


def find_assignment(ctx: Context, assignment_id: str) -> tuple[HIT, Assignment]:
    """The HIT and assignment of an ID, for other modules (bonuses check the assignment)."""
    return _assignment(ctx, assignment_id)


def list_review_policy_results_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Review policies are not emulated: a HIT has no policy, so no results."""
    hit = _hit(ctx, params["HITId"])
    return {"HITId": hit.id}


def get_file_upload_url(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Simulated workers never upload files, so no answer has a file to fetch."""
    _hit_of_it, assignment = _assignment(ctx, params["AssignmentId"])
    raise ctx.fail(
        f"Assignment {assignment.id} has no file uploaded for question {params['QuestionIdentifier']}.",
        INVALID_PARAMETER,
    )


HANDLERS: dict[str, Handler] = {
    "ListReviewPolicyResultsForHIT": list_review_policy_results_for_hit,
    "GetFileUploadURL": get_file_upload_url,
    "UpdateExpirationForHIT": update_expiration_for_hit,
    "CreateAdditionalAssignmentsForHIT": create_additional_assignments_for_hit,
    "UpdateHITReviewStatus": update_hit_review_status,
    "UpdateHITTypeOfHIT": update_hit_type_of_hit,
    "DeleteHIT": delete_hit,
    "ListReviewableHITs": list_reviewable_hits,
    "ListHITsForQualificationType": list_hits_for_qualification_type,
    "GetAssignment": get_assignment,
    "ApproveAssignment": approve_assignment,
    "RejectAssignment": reject_assignment,
}
