"""MTurk's semantics for the operations the local MTurk emulates.

Each handler takes the request's decoded, already shape-validated parameters and returns
a dict keyed by the output shape's member names (``model.serialise_output`` drops
anything the shape lacks and puts timestamps in wire form). Handlers check everything
before they mutate, so an error never leaves a half-applied request behind.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulators.mturk.clock import iso
from reconciler.emulators.mturk.errors import ApiError, request_error
from reconciler.emulators.mturk.state import (
    HIT,
    Assignment,
    HITType,
    Qualification,
    QualificationType,
    Record,
    State,
    make_id,
)
from reconciler.emulators.mturk.traps import Traps, requirement_as_mturk_returns_it

DISPOSAL_AGE = timedelta(days=120)  # MTurk disposes of a HIT 120 days after its creation
TOKEN_LIFETIME = timedelta(hours=24)  # how long a UniqueRequestToken blocks duplicates
DEFAULT_PAGE_SIZE = 10  # MTurk's page size when MaxResults is absent
MANY_ASSIGNMENTS = 10  # a HIT below this many assignments cannot be extended to it or beyond
DEFAULT_AUTO_APPROVAL_DELAY = 2_592_000  # 30 days, MTurk's default
MIN_SECONDS, MAX_SECONDS = 30, 31_536_000  # MTurk's bounds on lifetimes and durations
EMPTY_ANSWER = (
    '<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/'
    'AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"></QuestionFormAnswers>'
)
# Amazon's system qualification types: requirements may name them though no requester owns them.
SYSTEM_QUALIFICATION_TYPES = frozenset(
    {
        "00000000000000000071",  # Worker_Locale
        "000000000000000000L0",  # Worker_PercentAssignmentsApproved
        "00000000000000000040",  # Worker_NumberHITsApproved
        "00000000000000000060",  # Worker_Adult
        "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",  # Masters (production)
        "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6",  # Masters (sandbox)
    }
)
INVALID_PARAMETER = "AWS.MechanicalTurk.InvalidParameterValue"


@dataclass
class Context:
    """One request: the state, who asks, the emulator's time, and the records it made."""

    state: State
    requester: str
    now: datetime
    records: list[Record] = field(default_factory=list)
    traps: Traps = field(default_factory=Traps)

    def fail(self, message: str, turk_error_code: str) -> ApiError:
        # Real MTurk ends its messages with the request time in epoch milliseconds.
        return request_error(f"{message} ({int(self.now.timestamp() * 1000)})", turk_error_code)


Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]

# -- pagination ------------------------------------------------------------------------------


def _encode_token(kind: str, scope: str, position: str) -> str:
    raw = json.dumps([kind, scope, position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(ctx: Context, token: str | None, kind: str, scope: str) -> str | None:
    """The position a NextToken resumes after, or None for the first page."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        decoded = json.loads(raw)
    except (ValueError, binascii.Error):
        decoded = None
    if not (isinstance(decoded, list) and len(decoded) == 3 and decoded[:2] == [kind, scope]):
        raise ctx.fail("The pagination token is not valid for this request.", INVALID_PARAMETER)
    return str(decoded[2])


def _page_size(params: dict[str, Any]) -> int:
    return int(params.get("MaxResults", DEFAULT_PAGE_SIZE))


def _index_page(
    ctx: Context, params: dict[str, Any], items: list[Any], kind: str, scope: str
) -> tuple[list[Any], str | None]:
    """A page of an append-only list, resuming by index."""
    position = _decode_token(ctx, params.get("NextToken"), kind, scope)
    start = int(position) if position is not None and position.isdigit() else 0
    size = _page_size(params)
    page = items[start : start + size]
    more = start + size < len(items)
    # The trap: a last page that is exactly full still gets a token, leading to an empty page.
    more = more or (ctx.traps.empty_last_page and len(page) == size > 0)
    return page, (_encode_token(kind, scope, str(start + size)) if more else None)


# -- lookups ---------------------------------------------------------------------------------


def _qualification_type(ctx: Context, type_id: str) -> QualificationType:
    qt = ctx.state.qualification_types.get(type_id)
    if qt is None:
        raise ctx.fail(
            f"QualificationType {type_id} does not exist.", "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
        )
    return qt


def _owned_type(ctx: Context, type_id: str) -> QualificationType:
    qt = _qualification_type(ctx, type_id)
    if qt.owner != ctx.requester:
        raise ctx.fail(
            f"You do not have permission to use QualificationType {type_id}: only its owner can.",
            "AWS.MechanicalTurk.PermissionDenied",
        )
    return qt


# MTurk's words, as its answers carry them in production logs (it names neither worker nor type).
QUALIFICATION_NOT_HELD = "You requested a Qualification that does not exist."


def _disposed(ctx: Context, hit: HIT) -> bool:
    return ctx.now >= hit.created + DISPOSAL_AGE


def _hit(ctx: Context, hit_id: str) -> HIT:
    hit = ctx.state.hits.get(hit_id)
    if hit is None or hit.owner != ctx.requester or hit.deleted or _disposed(ctx, hit):
        raise ctx.fail(f"Hit {hit_id} does not exist.", "AWS.MechanicalTurk.HITDoesNotExist")
    return hit


def _check_seconds(ctx: Context, params: dict[str, Any], name: str) -> None:
    if name in params and not MIN_SECONDS <= params[name] <= MAX_SECONDS:
        raise ctx.fail(f"{name} must be between {MIN_SECONDS} and {MAX_SECONDS}.", INVALID_PARAMETER)


def _check_requirements(ctx: Context, requirements: list[dict[str, Any]]) -> None:
    for requirement in requirements:
        type_id = requirement["QualificationTypeId"]
        if (
            type_id not in SYSTEM_QUALIFICATION_TYPES
            and _qualification_type(ctx, type_id).status == "Disposing"
        ):
            raise ctx.fail(
                f"QualificationType {type_id} has been deleted and cannot be used in new HITs.",
                "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
            )


# -- views (state -> output shape members) ---------------------------------------------------


def _type_view(qt: QualificationType) -> dict[str, Any]:
    return {
        "QualificationTypeId": qt.id,
        "CreationTime": qt.created,
        "Name": qt.name,
        "Description": qt.description,
        "Keywords": qt.keywords,
        "QualificationTypeStatus": qt.status,
        "Test": qt.test,
        "TestDurationInSeconds": qt.test_duration,
        "AnswerKey": qt.answer_key,
        "RetryDelayInSeconds": qt.retry_delay,
        "IsRequestable": True,  # every requester-made type can be requested by workers
        "AutoGranted": qt.auto_granted,
        "AutoGrantedValue": qt.auto_granted_value if qt.auto_granted else None,
    }


def _qualification_view(type_id: str, q: Qualification) -> dict[str, Any]:
    return {
        "QualificationTypeId": type_id,
        "WorkerId": q.worker_id,
        "GrantTime": q.granted,
        "IntegerValue": q.value,
        "Status": q.status,
    }


def assignment_status(ctx: Context, hit: HIT, a: Assignment) -> str:
    """The status MTurk would report now: auto-approval and abandonment happen with time."""
    if a.status == "Accepted" and ctx.now >= a.accepted + timedelta(seconds=hit.assignment_duration):
        return "Abandoned"  # the worker let the assignment's duration run out
    due = a.submitted + timedelta(seconds=hit.auto_approval_delay) if a.submitted is not None else None
    if a.status == "Submitted" and due is not None and ctx.now >= due:
        return "Approved"
    return a.status


def _effective_assignment(
    ctx: Context, hit: HIT, a: Assignment
) -> tuple[str, datetime | None, datetime | None]:
    """Status, auto-approval time and approval time, applying MTurk's auto-approval."""
    status = assignment_status(ctx, hit, a)
    if a.submitted is None:
        return status, None, None
    auto_approval = a.submitted + timedelta(seconds=hit.auto_approval_delay)
    if status == "Approved" and a.approved is None:
        return status, auto_approval, auto_approval
    return status, auto_approval, a.approved


def _assignment_view(ctx: Context, hit: HIT, a: Assignment) -> dict[str, Any]:
    status, auto_approval, approved = _effective_assignment(ctx, hit, a)
    return {
        "AssignmentId": a.id,
        "WorkerId": a.worker_id,
        "HITId": hit.id,
        "AssignmentStatus": status,
        "AutoApprovalTime": auto_approval,
        "AcceptTime": a.accepted,
        "SubmitTime": a.submitted,
        "ApprovalTime": approved,
        "RejectionTime": a.rejected,
        "Deadline": a.accepted + timedelta(seconds=hit.assignment_duration),
        "Answer": a.answer or EMPTY_ANSWER,
        "RequesterFeedback": a.feedback,
    }


@dataclass(frozen=True)
class HITCounts:
    pending: int  # accepted, neither submitted, returned nor abandoned
    available: int  # still open to a new worker
    submitted: int  # submitted, approved or rejected
    completed: int  # approved or rejected


def hit_counts(ctx: Context, hit: HIT) -> HITCounts:
    statuses = [assignment_status(ctx, hit, a) for a in hit.assignments]
    pending = statuses.count("Accepted")
    completed = statuses.count("Approved") + statuses.count("Rejected")
    submitted = completed + statuses.count("Submitted")
    return HITCounts(pending, max(0, hit.max_assignments - pending - submitted), submitted, completed)


def hit_status(ctx: Context, hit: HIT) -> str:
    """Assignable while open to a new worker; Unassignable while workers are still on it."""
    counts = hit_counts(ctx, hit)
    if ctx.now < hit.expiration and counts.available > 0:
        return "Assignable"
    if counts.pending > 0:
        return "Unassignable"
    return "Reviewing" if hit.reviewing else "Reviewable"


def _hit_view(ctx: Context, hit: HIT) -> dict[str, Any]:
    counts = hit_counts(ctx, hit)
    return {
        "HITId": hit.id,
        "HITTypeId": hit.hit_type_id,
        "HITGroupId": make_id("group", hit.hit_type_id),
        "HITLayoutId": hit.hit_layout_id,
        "CreationTime": hit.created,
        "Title": hit.title,
        "Description": hit.description,
        "Question": hit.question,
        "Keywords": hit.keywords,
        "HITStatus": hit_status(ctx, hit),
        "MaxAssignments": hit.max_assignments,
        "Reward": hit.reward,
        "AutoApprovalDelayInSeconds": hit.auto_approval_delay,
        "Expiration": hit.expiration,
        "AssignmentDurationInSeconds": hit.assignment_duration,
        "RequesterAnnotation": hit.requester_annotation,
        "QualificationRequirements": (
            [requirement_as_mturk_returns_it(r) for r in hit.qualification_requirements]
            if ctx.traps.fill_requirement_defaults
            else hit.qualification_requirements
        ),
        "HITReviewStatus": hit.review_status,
        "NumberOfAssignmentsPending": counts.pending,
        "NumberOfAssignmentsAvailable": counts.available,
        "NumberOfAssignmentsCompleted": counts.completed,
    }


# -- qualification types ---------------------------------------------------------------------


def create_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    if (ctx.requester, name) in ctx.state.type_by_name:
        raise ctx.fail(
            "You have already created a QualificationType with this name. A QualificationType's name "
            "must be unique among all of the QualificationTypes created by the same user.",
            "AWS.MechanicalTurk.QualificationTypeAlreadyExists",
        )
    if params.get("Test") is not None and params.get("TestDurationInSeconds") is None:
        raise ctx.fail("TestDurationInSeconds is required when a Test is given.", INVALID_PARAMETER)
    if params.get("Test") is not None and params.get("AutoGranted"):
        raise ctx.fail("AutoGranted cannot be true for a QualificationType with a Test.", INVALID_PARAMETER)
    type_id, counter_record = ctx.state.next_id("qualification-type")
    qt = QualificationType(
        id=type_id,
        owner=ctx.requester,
        name=name,
        description=params["Description"],
        status=params["QualificationTypeStatus"],
        created=ctx.now,
        keywords=params.get("Keywords"),
        retry_delay=params.get("RetryDelayInSeconds"),
        test=params.get("Test"),
        answer_key=params.get("AnswerKey"),
        test_duration=params.get("TestDurationInSeconds"),
        auto_granted=bool(params.get("AutoGranted", False)),
        auto_granted_value=params.get("AutoGrantedValue", 1) if params.get("AutoGranted") else None,
    )
    ctx.records += [counter_record, ctx.state.put_qualification_type(qt)]
    return {"QualificationType": _type_view(qt)}


def get_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"QualificationType": _type_view(_qualification_type(ctx, params["QualificationTypeId"]))}


def list_qualification_types(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    query = (params.get("Query") or "").lower()
    owned_only = bool(params.get("MustBeOwnedByCaller", False))
    # MustBeRequestable needs no filter: every emulated type is requestable (no system types).
    matches = []
    for qt in ctx.state.qualification_types.values():
        mine = qt.owner == ctx.requester
        if owned_only and not mine:
            continue
        if qt.status == "Disposing" or (not mine and qt.status != "Active"):
            continue  # deleted types and other requesters' inactive types are not searchable
        if query and not any(
            query in (text or "").lower() for text in (qt.name, qt.description, qt.keywords)
        ):
            continue
        if query and ctx.now - qt.created < ctx.traps.type_search_lag:
            continue  # not in the search index yet; GetQualificationType finds it already
        matches.append(qt)
    scope = json.dumps([ctx.requester, query, owned_only])
    page, token = _index_page(ctx, params, matches, "qualification-types", scope)
    return {"NumResults": len(page), "NextToken": token, "QualificationTypes": [_type_view(q) for q in page]}


def update_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    changes: dict[str, Any] = {}
    for member, attribute in (
        ("Description", "description"),
        ("QualificationTypeStatus", "status"),
        ("Test", "test"),
        ("AnswerKey", "answer_key"),
        ("TestDurationInSeconds", "test_duration"),
        ("RetryDelayInSeconds", "retry_delay"),
        ("AutoGranted", "auto_granted"),
        ("AutoGrantedValue", "auto_granted_value"),
    ):
        if member in params:
            changes[attribute] = params[member]
    updated = replace(qt, **changes)
    if updated.test is not None and updated.auto_granted:
        raise ctx.fail("AutoGranted cannot be true for a QualificationType with a Test.", INVALID_PARAMETER)
    if updated.auto_granted and updated.auto_granted_value is None:
        updated.auto_granted_value = 1
    ctx.records.append(ctx.state.put_qualification_type(updated))
    return {"QualificationType": _type_view(updated)}


# -- qualifications --------------------------------------------------------------------------


def associate_qualification_with_worker(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    worker_id = params["WorkerId"]
    value = int(params.get("IntegerValue", 1))
    existing = qt.holders.get(worker_id)
    # A value update keeps the original grant time; a new grant or a re-grant of a revoked
    # qualification is granted now.
    granted = existing.granted if existing is not None and existing.status == "Granted" else ctx.now
    qualification = Qualification(worker_id=worker_id, value=value, status="Granted", granted=granted)
    ctx.records.append(ctx.state.put_holder(qt.id, qualification))
    if params.get("SendNotification", True):  # MTurk emails the worker unless told not to
        ctx.records.append(ctx.state.put_notification(_notice(ctx, "granted", qt.id, worker_id, None)))
    return {}


def _notice(ctx: Context, kind: str, type_id: str, worker_id: str, reason: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "qualification_type_id": type_id,
        "worker_id": worker_id,
        "reason": reason,
        "at": iso(ctx.now),
    }


def disassociate_qualification_from_worker(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    existing = qt.holders.get(params["WorkerId"])
    if existing is None or existing.status != "Granted":
        raise ctx.fail(QUALIFICATION_NOT_HELD, "AWS.MechanicalTurk.QualificationDoesNotExist")
    revoked = replace(existing, status="Revoked", reason=params.get("Reason"))
    ctx.records.append(ctx.state.put_holder(qt.id, revoked))
    if params.get("Reason"):  # per AWS's documentation, a revocation without a reason notifies nobody
        notice = _notice(ctx, "revoked", qt.id, params["WorkerId"], params["Reason"])
        ctx.records.append(ctx.state.put_notification(notice))
    return {}


def list_workers_with_qualification_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    # Without Status, MTurk lists the granted qualifications (its documented default).
    status = params.get("Status", "Granted")
    size = _page_size(params)
    scope = f"{qt.id}:{status}"
    after = _decode_token(ctx, params.get("NextToken"), "workers", scope)
    workers = qt.sorted_workers
    # Worker IDs in sorted order; resuming after the last one returned keeps pages stable
    # even when holders are added or revoked between calls.
    index = bisect.bisect_right(workers, after) if after is not None else 0
    page: list[Qualification] = []
    token = None
    while index < len(workers):
        qualification = qt.holders[workers[index]]
        index += 1
        if qualification.status != status:
            continue
        if len(page) == size:
            token = _encode_token("workers", scope, page[-1].worker_id)
            break
        page.append(qualification)
    if token is None and ctx.traps.empty_last_page and len(page) == size > 0:
        token = _encode_token("workers", scope, page[-1].worker_id)
    return {
        "NumResults": len(page),
        "NextToken": token,
        "Qualifications": [_qualification_view(qt.id, q) for q in page],
    }


def get_qualification_score(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    qt = _owned_type(ctx, params["QualificationTypeId"])
    qualification = qt.holders.get(params["WorkerId"])
    # MTurk answers only for a Granted qualification, and says which of the two it is not: never
    # granted ("does not exist") or revoked (a status it cannot be called with). Dallinger tells
    # them apart by these words, which it took from MTurk's answers.
    if qualification is None:
        raise ctx.fail(QUALIFICATION_NOT_HELD, "AWS.MechanicalTurk.QualificationDoesNotExist")
    if qualification.status != "Granted":
        raise ctx.fail(
            "This operation can be called with a status of: Granted",
            "AWS.MechanicalTurk.QualificationDoesNotExist",
        )
    return {"Qualification": _qualification_view(qt.id, qualification)}


# -- HIT types and HITs ----------------------------------------------------------------------


def _register_hit_type(ctx: Context, params: dict[str, Any]) -> HITType:
    """MTurk gives identical HIT type properties the same HITTypeId; so does this."""
    _check_seconds(ctx, params, "AssignmentDurationInSeconds")
    if not 0 <= params.get("AutoApprovalDelayInSeconds", 0) <= DEFAULT_AUTO_APPROVAL_DELAY:
        raise ctx.fail("AutoApprovalDelayInSeconds must be between 0 and 2592000.", INVALID_PARAMETER)
    requirements = params.get("QualificationRequirements", [])
    _check_requirements(ctx, requirements)
    properties = {
        "owner": ctx.requester,
        "title": params["Title"],
        "description": params["Description"],
        "reward": params["Reward"],
        "assignment_duration": params["AssignmentDurationInSeconds"],
        "keywords": params.get("Keywords"),
        "auto_approval_delay": params.get("AutoApprovalDelayInSeconds", DEFAULT_AUTO_APPROVAL_DELAY),
        "qualification_requirements": requirements,
    }
    hit_type_id = make_id("hit-type", json.dumps(properties, sort_keys=True))
    existing = ctx.state.hit_types.get(hit_type_id)
    if existing is not None:
        return existing
    hit_type = HITType(id=hit_type_id, created=ctx.now, **properties)
    ctx.records.append(ctx.state.put_hit_type(hit_type))
    return hit_type


def create_hit_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"HITTypeId": _register_hit_type(ctx, params).id}


def _new_hit(ctx: Context, hit_type: HITType, params: dict[str, Any]) -> dict[str, Any]:
    _check_seconds(ctx, params, "LifetimeInSeconds")
    if params.get("Question") is None and params.get("HITLayoutId") is None:
        raise ctx.fail("Either Question or HITLayoutId must be provided.", INVALID_PARAMETER)
    token = params.get("UniqueRequestToken")
    if token is not None and token in ctx.state.request_tokens:
        earlier_hit, at = ctx.state.request_tokens[token]
        if ctx.now < at + TOKEN_LIFETIME:
            raise ctx.fail(
                f"The HIT with ID {earlier_hit} already exists. Retrieve it with GetHIT; "
                f"UniqueRequestToken {token} was already used.",
                "AWS.MechanicalTurk.HitAlreadyExists",
            )
    hit_id, counter_record = ctx.state.next_id("hit")
    hit = HIT(
        id=hit_id,
        owner=ctx.requester,
        hit_type_id=hit_type.id,
        title=hit_type.title,
        description=hit_type.description,
        reward=hit_type.reward,
        max_assignments=int(params.get("MaxAssignments", 1)),
        created=ctx.now,
        expiration=ctx.now + timedelta(seconds=params["LifetimeInSeconds"]),
        assignment_duration=hit_type.assignment_duration,
        auto_approval_delay=hit_type.auto_approval_delay or 0,
        keywords=hit_type.keywords,
        question=params.get("Question"),
        requester_annotation=params.get("RequesterAnnotation"),
        hit_layout_id=params.get("HITLayoutId"),
        qualification_requirements=hit_type.qualification_requirements,
    )
    ctx.records += [counter_record, ctx.state.put_hit(hit)]
    if token is not None:
        ctx.records.append(ctx.state.put_request_token(token, hit_id, ctx.now))
    return {"HIT": _hit_view(ctx, hit)}


def create_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _new_hit(ctx, _register_hit_type(ctx, params), params)


def create_hit_with_hit_type(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit_type = ctx.state.hit_types.get(params["HITTypeId"])
    if hit_type is None or hit_type.owner != ctx.requester:
        raise ctx.fail(
            f"HITType {params['HITTypeId']} does not exist.", "AWS.MechanicalTurk.HITTypeDoesNotExist"
        )
    return _new_hit(ctx, hit_type, params)


def get_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"HIT": _hit_view(ctx, _hit(ctx, params["HITId"]))}


def list_hits(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    # Disposed HITs vanish from the list; everything else is listed by creation time.
    visible = sorted(
        (
            hit
            for hit in ctx.state.hits.values()
            if hit.owner == ctx.requester and not hit.deleted and not _disposed(ctx, hit)
        ),
        key=lambda hit: (hit.created.timestamp(), hit.id),
    )
    position = _decode_token(ctx, params.get("NextToken"), "hits", ctx.requester)
    # Resume after the last HIT returned (by creation time, then ID) so that a HIT being
    # disposed between two pages does not shift the next page.
    if position is not None:
        last_created, last_id = json.loads(position)
        visible = [h for h in visible if (h.created.timestamp(), h.id) > (last_created, last_id)]
    size = _page_size(params)
    page = visible[:size]
    token = None
    if len(visible) > size or (ctx.traps.empty_last_page and len(page) == size > 0):
        last = page[-1]
        token = _encode_token("hits", ctx.requester, json.dumps([last.created.timestamp(), last.id]))
    return {"NumResults": len(page), "NextToken": token, "HITs": [_hit_view(ctx, h) for h in page]}


def list_assignments_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, params["HITId"])
    wanted = set(params.get("AssignmentStatuses") or ("Submitted", "Approved", "Rejected"))
    views = [_assignment_view(ctx, hit, a) for a in hit.assignments]
    matching = [v for v in views if v["AssignmentStatus"] in wanted]
    scope = json.dumps([hit.id, sorted(wanted)])
    page, token = _index_page(ctx, params, matching, "assignments", scope)
    return {"NumResults": len(page), "NextToken": token, "Assignments": page}


def update_expiration_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Move the HIT's expiration: a time in the past expires it now, a later one (even for an
    expired HIT) makes it assignable again until then, as MTurk does."""
    hit = _hit(ctx, params["HITId"])
    expire_at = params["ExpireAt"]
    if not isinstance(expire_at, datetime):
        expire_at = datetime.fromtimestamp(float(expire_at), tz=UTC)
    hit.expiration = max(ctx.now, expire_at)
    ctx.records.append(ctx.state.put_hit(hit))
    return {}


def create_additional_assignments_for_hit(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Raise MaxAssignments. As on MTurk, a HIT created with fewer than 10 assignments cannot
    reach 10 or more this way."""
    hit = _hit(ctx, params["HITId"])
    extra = int(params["NumberOfAdditionalAssignments"])
    if extra < 1:
        raise ctx.fail("NumberOfAdditionalAssignments must be at least 1.", INVALID_PARAMETER)
    if hit.max_assignments < MANY_ASSIGNMENTS <= hit.max_assignments + extra:
        raise ctx.fail(
            f"HIT {hit.id} was created with fewer than {MANY_ASSIGNMENTS} assignments and cannot be "
            f"extended to {MANY_ASSIGNMENTS} or more.",
            INVALID_PARAMETER,
        )
    hit.max_assignments += extra
    ctx.records.append(ctx.state.put_hit(hit))
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateQualificationType": create_qualification_type,
    "GetQualificationType": get_qualification_type,
    "ListQualificationTypes": list_qualification_types,
    "UpdateQualificationType": update_qualification_type,
    "AssociateQualificationWithWorker": associate_qualification_with_worker,
    "DisassociateQualificationFromWorker": disassociate_qualification_from_worker,
    "ListWorkersWithQualificationType": list_workers_with_qualification_type,
    "GetQualificationScore": get_qualification_score,
    "CreateHITType": create_hit_type,
    "CreateHIT": create_hit,
    "CreateHITWithHITType": create_hit_with_hit_type,
    "GetHIT": get_hit,
    "ListHITs": list_hits,
    "ListAssignmentsForHIT": list_assignments_for_hit,
    "UpdateExpirationForHIT": update_expiration_for_hit,
    "CreateAdditionalAssignmentsForHIT": create_additional_assignments_for_hit,
}
