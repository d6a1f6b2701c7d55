"""The requester's account: balance, bonuses, messages to workers, worker blocks and
notification settings.

The emulated account starts with the sandbox's balance, and each bonus paid comes off it.
Messages sent with NotifyWorkers are recorded like the qualification emails (``notices``).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from reconciler.emulators.mturk.clock import iso, parse_iso
from reconciler.emulators.mturk.hit_lifecycle import find_assignment
from reconciler.emulators.mturk.operations import (
    INVALID_PARAMETER,
    TOKEN_LIFETIME,
    Context,
    Handler,
    _index_page,
    assignment_status,
)

STARTING_BALANCE = Decimal("10000.00")  # what the MTurk sandbox reports for every account
BONUS = "bonus"
BLOCK = "block"
NOTIFICATION_SETTING = "notification-setting"
NOTIFY_LIMIT = 100  # MTurk's limit of WorkerIds per NotifyWorkers call


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _balance(ctx: Context) -> Decimal:
    paid = sum(
        (
            Decimal(b["amount"])
            for b in ctx.state.entries.get(BONUS, {}).values()
            if b["requester"] == ctx.requester
        ),
        Decimal(0),
    )
    return STARTING_BALANCE - paid


def get_account_balance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"AvailableBalance": _money(_balance(ctx)), "OnHoldBalance": "0.00"}


def send_bonus(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit, assignment = find_assignment(ctx, params["AssignmentId"])
    if assignment.worker_id != params["WorkerId"]:
        raise ctx.fail(
            f"Assignment {assignment.id} was not done by worker {params['WorkerId']}.", INVALID_PARAMETER
        )
    status = assignment_status(ctx, hit, assignment)
    if status not in ("Submitted", "Approved", "Rejected"):
        raise ctx.fail(
            f"A bonus can only be paid for submitted work; assignment {assignment.id} is {status}.",
            "AWS.MechanicalTurk.InvalidAssignmentState",
        )
    try:
        amount = Decimal(params["BonusAmount"])
    except InvalidOperation:
        raise ctx.fail(
            f"BonusAmount {params['BonusAmount']!r} is not an amount of money.", INVALID_PARAMETER
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ctx.fail("BonusAmount must be a positive amount in dollars and cents.", INVALID_PARAMETER)
    if amount > _balance(ctx):
        raise ctx.fail(
            "Your account balance is too low to pay this bonus.", "AWS.MechanicalTurk.InsufficientFunds"
        )
    token = params.get("UniqueRequestToken")
    bonuses = ctx.state.entries.get(BONUS, {})
    key = f"{ctx.requester}:{token}" if token is not None else f"{ctx.requester}:#{len(bonuses)}"
    earlier = bonuses.get(key)
    if earlier is not None and ctx.now < parse_iso(earlier["at"]) + TOKEN_LIFETIME:
        raise ctx.fail(
            f"A bonus was already paid with UniqueRequestToken {token}.",
            "AWS.MechanicalTurk.DuplicateRequest",
        )
    bonus = {
        "requester": ctx.requester,
        "worker_id": assignment.worker_id,
        "assignment_id": assignment.id,
        "hit_id": hit.id,
        "amount": _money(amount),
        "reason": params["Reason"],
        "at": iso(ctx.now),
    }
    ctx.records.append(ctx.state.put_entry(BONUS, key, bonus))
    return {}


def list_bonus_payments(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit_id, assignment_id = params.get("HITId"), params.get("AssignmentId")
    if (hit_id is None) == (assignment_id is None):
        raise ctx.fail("Either HITId or AssignmentId must be given, and not both.", INVALID_PARAMETER)
    if assignment_id is not None:
        find_assignment(ctx, assignment_id)  # an unknown assignment is an error, not an empty list
    elif hit_id not in ctx.state.hits or ctx.state.hits[hit_id].owner != ctx.requester:
        raise ctx.fail(f"Hit {hit_id} does not exist.", "AWS.MechanicalTurk.HITDoesNotExist")
    matching = [
        b
        for b in ctx.state.entries.get(BONUS, {}).values()
        if b["requester"] == ctx.requester
        and (b["hit_id"] == hit_id if hit_id is not None else b["assignment_id"] == assignment_id)
    ]
    page, token = _index_page(
        ctx, params, matching, "bonuses", json.dumps([ctx.requester, hit_id, assignment_id])
    )
    views = [
        {
            "WorkerId": b["worker_id"],
            "BonusAmount": b["amount"],
            "AssignmentId": b["assignment_id"],
            "Reason": b["reason"],
            "GrantTime": parse_iso(b["at"]),
        }
        for b in page
    ]
    return {"NumResults": len(views), "NextToken": token, "BonusPayments": views}


def _has_worked_for(ctx: Context, worker_id: str) -> bool:
    """MTurk only lets a requester message workers who have worked for it."""
    for hit in ctx.state.hits.values():
        if hit.owner == ctx.requester and any(a.worker_id == worker_id for a in hit.assignments):
            return True
    return any(
        qt.owner == ctx.requester and worker_id in qt.holders for qt in ctx.state.qualification_types.values()
    )


def notify_workers(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    worker_ids = list(params["WorkerIds"])
    if not 1 <= len(worker_ids) <= NOTIFY_LIMIT:
        raise ctx.fail(f"WorkerIds must list between 1 and {NOTIFY_LIMIT} workers.", INVALID_PARAMETER)
    failures = []
    for worker_id in dict.fromkeys(worker_ids):
        if not _has_worked_for(ctx, worker_id):
            failures.append(
                {
                    "NotifyWorkersFailureCode": "HardFailure",
                    "NotifyWorkersFailureMessage": f"Cannot send a message to {worker_id}: "
                    "the worker has not worked for you.",
                    "WorkerId": worker_id,
                }
            )
            continue
        notice = {
            "kind": "message",
            "worker_id": worker_id,
            "subject": params["Subject"],
            "at": iso(ctx.now),
        }
        ctx.records.append(ctx.state.put_notification(notice))
    return {"NotifyWorkersFailureStatuses": failures}


def create_worker_block(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    block = {"requester": ctx.requester, "worker_id": params["WorkerId"], "reason": params["Reason"]}
    ctx.records.append(ctx.state.put_entry(BLOCK, f"{ctx.requester}:{params['WorkerId']}", block))
    return {}


def delete_worker_block(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = f"{ctx.requester}:{params['WorkerId']}"
    if key not in ctx.state.entries.get(BLOCK, {}):
        raise ctx.fail(
            f"You have not blocked worker {params['WorkerId']}.", "AWS.MechanicalTurk.WorkerBlockDoesNotExist"
        )
    ctx.records.append(ctx.state.put_entry(BLOCK, key, None))
    return {}


def is_blocked(ctx: Context, requester: str, worker_id: str) -> bool:
    return f"{requester}:{worker_id}" in ctx.state.entries.get(BLOCK, {})


def list_worker_blocks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    mine = sorted(
        (b for b in ctx.state.entries.get(BLOCK, {}).values() if b["requester"] == ctx.requester),
        key=lambda b: str(b["worker_id"]),
    )
    page, token = _index_page(ctx, params, mine, "blocks", ctx.requester)
    views = [{"WorkerId": b["worker_id"], "Reason": b["reason"]} for b in page]
    return {"NumResults": len(views), "NextToken": token, "WorkerBlocks": views}


def _check_notification(ctx: Context, notification: dict[str, Any]) -> None:
    transport, destination = notification["Transport"], notification["Destination"]
    if transport == "Email" and "@" not in destination:
        raise ctx.fail("An Email notification needs an email address as its Destination.", INVALID_PARAMETER)
    if transport in ("SQS", "SNS") and not destination.startswith(("https://", "arn:")):
        raise ctx.fail(f"A {transport} notification needs a queue URL or topic ARN.", INVALID_PARAMETER)
    if notification["Version"] != "2006-05-05":
        raise ctx.fail("Notification Version must be 2006-05-05.", INVALID_PARAMETER)


def update_notification_settings(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    hit_type = ctx.state.hit_types.get(params["HITTypeId"])
    if hit_type is None or hit_type.owner != ctx.requester:
        raise ctx.fail(
            f"HITType {params['HITTypeId']} does not exist.", "AWS.MechanicalTurk.HITTypeDoesNotExist"
        )
    existing = ctx.state.entries.get(NOTIFICATION_SETTING, {}).get(hit_type.id)
    notification = params.get("Notification") or (existing or {}).get("notification")
    if notification is None:
        raise ctx.fail(
            "The HIT type has no notification specification; give a Notification.", INVALID_PARAMETER
        )
    _check_notification(ctx, notification)
    active = bool(params.get("Active", (existing or {}).get("active", True)))
    setting = {"notification": notification, "active": active}
    ctx.records.append(ctx.state.put_entry(NOTIFICATION_SETTING, hit_type.id, setting))
    return {}


def send_test_event_notification(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check_notification(ctx, params["Notification"])
    notice = {"kind": "test-event", "event": params["TestEventType"], "at": iso(ctx.now)}
    ctx.records.append(ctx.state.put_notification(notice))
    return {}


HANDLERS: dict[str, Handler] = {
    "GetAccountBalance": get_account_balance,
    "SendBonus": send_bonus,
    "ListBonusPayments": list_bonus_payments,
    "NotifyWorkers": notify_workers,
    "CreateWorkerBlock": create_worker_block,
    "DeleteWorkerBlock": delete_worker_block,
    "ListWorkerBlocks": list_worker_blocks,
    "UpdateNotificationSettings": update_notification_settings,
    "SendTestEventNotification": send_test_event_notification,
}
