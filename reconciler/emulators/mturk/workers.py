"""The worker side of the local MTurk: simulated workers who find, preview, accept, submit
and return HITs, and ask for qualifications.

MTurk has no worker API for requesters, so these actions are driven through the
``/_local/workers/`` admin endpoints (see ``admin``). Qualification requirements are
enforced as MTurk enforces them: each requirement guards the actions its
``ActionsGuarded`` names (or, without it, the deprecated ``RequiredToPreview``), and a
worker may take an action only when they meet every requirement guarding it. Requirements
on Amazon's system types (locale, approval rate, Masters) are taken as met: simulated
workers have no such history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from reconciler.emulators.mturk.account import is_blocked
from reconciler.emulators.mturk.clock import Clock
from reconciler.emulators.mturk.operations import (
    SYSTEM_QUALIFICATION_TYPES,
    Context,
    _disposed,
    assignment_status,
    hit_counts,
    hit_status,
)
from reconciler.emulators.mturk.persistence import StateStore
from reconciler.emulators.mturk.qualification_requests import add_request
from reconciler.emulators.mturk.state import HIT, Assignment, Qualification, make_id

ACTIONS = ("Discover", "Preview", "Accept")
GUARDS = {
    "Accept": {"Accept"},
    "PreviewAndAccept": {"Preview", "Accept"},
    "DiscoverPreviewAndAccept": {"Discover", "Preview", "Accept"},
}


class WorkerRefused(Exception):
    """An action MTurk would not let the worker take; ``status`` is the admin answer's code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def guarded_actions(requirement: dict[str, Any]) -> set[str]:
    guard = requirement.get("ActionsGuarded") or (
        "PreviewAndAccept" if requirement.get("RequiredToPreview") else "Accept"
    )
    return GUARDS.get(str(guard), GUARDS["Accept"])


def _compare(comparator: str, value: int, wanted: list[int]) -> bool:
    first = wanted[0] if wanted else 0
    checks = {
        "LessThan": value < first,
        "LessThanOrEqualTo": value <= first,
        "GreaterThan": value > first,
        "GreaterThanOrEqualTo": value >= first,
        "EqualTo": value == first,
        "NotEqualTo": value != first,
        "In": value in wanted,
        "NotIn": value not in wanted,
        "Exists": True,
    }
    return checks.get(comparator, False)


def meets(ctx: Context, worker_id: str, requirement: dict[str, Any]) -> bool:
    """Whether the worker meets one requirement, from the qualifications they hold now."""
    type_id = requirement["QualificationTypeId"]
    if type_id in SYSTEM_QUALIFICATION_TYPES:
        return True
    qt = ctx.state.qualification_types.get(type_id)
    held: Qualification | None = qt.holders.get(worker_id) if qt is not None else None
    if held is not None and held.status != "Granted":
        held = None  # a revoked qualification is not held
    comparator = requirement["Comparator"]
    if comparator == "DoesNotExist":
        return held is None
    if held is None:  # every other comparator needs the qualification
        return False
    return _compare(comparator, held.value, [int(v) for v in requirement.get("IntegerValues") or []])


def may(ctx: Context, worker_id: str, hit: HIT, action: str) -> bool:
    return all(
        meets(ctx, worker_id, requirement)
        for requirement in hit.qualification_requirements
        if action in guarded_actions(requirement)
    )


class Workers:
    """Simulated workers' actions, each atomic under the store's lock and journalled."""

    def __init__(self, store: StateStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _context(self) -> Context:
        return Context(state=self.store.state, requester="", now=self.clock.now())

    def _visible_hit(self, ctx: Context, hit_id: str) -> HIT:
        hit = ctx.state.hits.get(hit_id)
        if hit is None or hit.deleted or _disposed(ctx, hit):
            raise WorkerRefused(404, f"There is no HIT {hit_id}.")
        return hit

    def discover(self, worker_id: str) -> list[dict[str, Any]]:
        """The HITs a search shows this worker: assignable ones their qualifications let them see."""
        with self.store.lock:
            ctx = self._context()
            found = []
            for hit_id in ctx.state.hit_order:
                hit = ctx.state.hits[hit_id]
                if hit.deleted or _disposed(ctx, hit) or hit_status(ctx, hit) != "Assignable":
                    continue
                if is_blocked(ctx, hit.owner, worker_id) or not may(ctx, worker_id, hit, "Discover"):
                    continue
                found.append({"hit_id": hit.id, "hit_type_id": hit.hit_type_id, "title": hit.title})
            return found

    def preview(self, worker_id: str, hit_id: str) -> dict[str, Any]:
        with self.store.lock:
            ctx = self._context()
            hit = self._visible_hit(ctx, hit_id)
            if not may(ctx, worker_id, hit, "Preview"):
                raise WorkerRefused(
                    403, f"Worker {worker_id} does not meet the qualifications to preview HIT {hit_id}."
                )
            return {
                "hit_id": hit.id,
                "title": hit.title,
                "description": hit.description,
                "question": hit.question,
            }

    def accept(self, worker_id: str, hit_id: str) -> dict[str, Any]:
        with self.store.lock:
            ctx = self._context()
            hit = self._visible_hit(ctx, hit_id)
            if not may(ctx, worker_id, hit, "Accept"):
                raise WorkerRefused(
                    403, f"Worker {worker_id} does not meet the qualifications to accept HIT {hit_id}."
                )
            if is_blocked(ctx, hit.owner, worker_id):
                raise WorkerRefused(403, f"Worker {worker_id} is blocked by the requester of HIT {hit_id}.")
            taken = [
                a
                for a in hit.assignments
                if a.worker_id == worker_id
                and assignment_status(ctx, hit, a) not in ("Returned", "Abandoned")
            ]
            if taken:
                raise WorkerRefused(
                    409, f"Worker {worker_id} already has assignment {taken[0].id} on HIT {hit_id}."
                )
            if hit_status(ctx, hit) != "Assignable" or hit_counts(ctx, hit).available < 1:
                raise WorkerRefused(409, f"HIT {hit_id} has no assignment available.")
            attempt = sum(1 for a in hit.assignments if a.worker_id == worker_id)
            assignment = Assignment(
                id=make_id("assignment", hit.id, worker_id, attempt),
                worker_id=worker_id,
                status="Accepted",
                accepted=ctx.now,
            )
            ctx.records.append(ctx.state.put_hit(replace(hit, assignments=[*hit.assignments, assignment])))
            self.store.log(ctx.records)
            deadline = ctx.now + timedelta(seconds=hit.assignment_duration)
            return {"assignment_id": assignment.id, "hit_id": hit.id, "deadline": deadline.isoformat()}

    def _own_assignment(self, ctx: Context, worker_id: str, assignment_id: str) -> tuple[HIT, Assignment]:
        for hit in ctx.state.hits.values():
            for a in hit.assignments:
                if a.id == assignment_id and a.worker_id == worker_id:
                    status = assignment_status(ctx, hit, a)
                    if status != "Accepted":
                        raise WorkerRefused(409, f"Assignment {assignment_id} is {status}, not in progress.")
                    return hit, a
        raise WorkerRefused(404, f"Worker {worker_id} has no assignment {assignment_id}.")

    def _finish(
        self, worker_id: str, assignment_id: str, status: str, answer: str | None = None
    ) -> dict[str, Any]:
        with self.store.lock:
            ctx = self._context()
            hit, assignment = self._own_assignment(ctx, worker_id, assignment_id)
            submitted = ctx.now if status == "Submitted" else None
            updated = replace(assignment, status=status, submitted=submitted, answer=answer)
            assignments = [updated if a.id == assignment.id else a for a in hit.assignments]
            ctx.records.append(ctx.state.put_hit(replace(hit, assignments=assignments)))
            self.store.log(ctx.records)
            return {"assignment_id": assignment_id, "status": status}

    def submit(self, worker_id: str, assignment_id: str, answer: str | None) -> dict[str, Any]:
        return self._finish(worker_id, assignment_id, "Submitted", answer)

    def give_back(self, worker_id: str, assignment_id: str) -> dict[str, Any]:
        """The worker returns the assignment: its slot opens again for another worker."""
        return self._finish(worker_id, assignment_id, "Returned")

    def request_qualification(self, worker_id: str, type_id: str) -> dict[str, Any]:
        """Ask for a qualification: auto-granted types grant at once, others wait for the requester."""
        with self.store.lock:
            ctx = self._context()
            qt = ctx.state.qualification_types.get(type_id)
            if qt is None or qt.status != "Active":
                raise WorkerRefused(404, f"There is no active qualification type {type_id}.")
            if qt.auto_granted:
                value = qt.auto_granted_value if qt.auto_granted_value is not None else 1
                grant = Qualification(worker_id=worker_id, value=value, status="Granted", granted=ctx.now)
                ctx.records.append(ctx.state.put_holder(qt.id, grant))
                self.store.log(ctx.records)
                return {"granted": True}
            request_id = add_request(ctx, qt.id, worker_id)
            self.store.log(ctx.records)
            return {"granted": False, "qualification_request_id": request_id}
