"""The MTurk implementation of ``Platform``, on boto3.

Every API error that survives botocore's retries becomes a ``PlatformError``: a failed page is
never taken for an empty one. Grants never notify the worker; revocations send a reason (which
makes MTurk email the worker) only when the lab set one on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from reconciler.core.live import (
    HitReading,
    HitRequirement,
    HitState,
    LiveHit,
    LiveQualificationType,
    QualificationTypeSettings,
)
from reconciler.platform.base import HitGone, PlatformError
from reconciler.platform.ratelimit import RateLimiter, ThrottleFollower

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_mturk import MTurkClient

PAGE_SIZE = 100  # MTurk's maximum
# Every assignment whose worker saw the study; a rejected worker saw the deception all the same.
WORKER_STATUSES: list[Literal["Submitted", "Approved", "Rejected"]] = ["Submitted", "Approved", "Rejected"]
HIT_DOES_NOT_EXIST = "AWS.MechanicalTurk.HITDoesNotExist"
QUALIFICATION_DOES_NOT_EXIST = "AWS.MechanicalTurk.QualificationDoesNotExist"
DEFAULT_CONCURRENCY = 16
MAX_ATTEMPTS = 10


def max_attempts() -> int:
    """AWS's own ``AWS_MAX_ATTEMPTS`` when set (as every AWS tool honours it), else ours."""
    configured = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else MAX_ATTEMPTS


def client_config(max_concurrency: int) -> Config:
    """Adaptive retries: throttling and 5xx answers are retried with backoff and client-side pacing."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts()},
        max_pool_connections=max_concurrency + 2,
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="study-exclusions",
    )


def make_client(
    session: boto3.Session,
    *,
    endpoint_url: str,
    region: str,
    max_concurrency: int,
    rate_limit: float | None,
) -> MTurkClient:
    if rate_limit:
        client = session.client(
            "mturk", endpoint_url=endpoint_url, region_name=region, config=client_config(max_concurrency)
        )
        client.meta.events.register("before-send.mturk", RateLimiter(rate_limit).before_send)
        return client
    return follow_throttling(
        session.client(
            "mturk", endpoint_url=endpoint_url, region_name=region, config=paced_config(max_concurrency)
        )
    )


def paced_config(max_concurrency: int) -> Config:
    """Retries with backoff and nothing more: with no rate set, a ``ThrottleFollower`` paces the
    client. Adaptive mode's own cubic pacing would fight it (74% of a 20/s limit), and standard
    mode's retry quota gives up on a long run of 5xx answers that the legacy mode retries."""
    return client_config(max_concurrency).merge(
        Config(retries={"mode": "legacy", "total_max_attempts": max_attempts()})
    )


def follow_throttling(client: MTurkClient) -> MTurkClient:
    """Pace ``client`` at the rate the server accepts, learnt from its throttling answers."""
    follower = ThrottleFollower()
    client.meta.events.register("before-send.mturk", follower.before_send)
    # First, so it sees every answer before the retry handler decides (and ends the event).
    client.meta.events.register_first("needs-retry.mturk", follower.needs_retry)
    return client


class MTurkPlatform:
    """``Platform`` over one boto3 MTurk client (thread-safe, shared by every worker thread)."""

    def __init__(self, client: MTurkClient, *, target: str) -> None:
        self.client = client
        self.target = target

    # --- qualification types ------------------------------------------------------------------

    def find_qualification_type(self, name: str, pinned_id: str | None) -> LiveQualificationType | None:
        if pinned_id:
            answer = self._call("GetQualificationType", QualificationTypeId=pinned_id)
            return _live_type(answer["QualificationType"])
        paginator = self.client.get_paginator("list_qualification_types")
        pages = paginator.paginate(
            Query=name,
            MustBeRequestable=False,
            MustBeOwnedByCaller=True,
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        # Query is a search, not an exact match: the exact name is what identifies a pool's type.
        found = [
            qt for page in self._pages("ListQualificationTypes", pages) for qt in page["QualificationTypes"]
        ]
        exact = [qt for qt in found if qt.get("Name") == name]
        return _live_type(exact[0]) if exact else None

    def create_qualification_type(self, settings: QualificationTypeSettings) -> LiveQualificationType:
        arguments: dict[str, Any] = {
            "Name": settings.name,
            "Description": settings.description,
            "QualificationTypeStatus": settings.status,
            "AutoGranted": settings.auto_granted,
        }
        if settings.keywords:
            arguments["Keywords"] = settings.keywords
        answer = self._call("CreateQualificationType", **arguments)
        return _live_type(answer["QualificationType"])

    def update_qualification_type(self, type_id: str, settings: QualificationTypeSettings) -> None:
        self._call(
            "UpdateQualificationType",
            QualificationTypeId=type_id,
            Description=settings.description,
            QualificationTypeStatus=settings.status,
            AutoGranted=settings.auto_granted,
        )

    # --- holders and HITs ---------------------------------------------------------------------

    def list_holders(self, type_id: str) -> dict[str, int]:
        paginator = self.client.get_paginator("list_workers_with_qualification_type")
        pages = paginator.paginate(
            QualificationTypeId=type_id, Status="Granted", PaginationConfig={"PageSize": PAGE_SIZE}
        )
        holders: dict[str, int] = {}
        for page in self._pages("ListWorkersWithQualificationType", pages):
            for qualification in page["Qualifications"]:
                holders[qualification["WorkerId"]] = int(qualification.get("IntegerValue", 1))
        return holders

    def read_hit(self, hit_id: str) -> HitReading:
        hit = self._call("GetHIT", HITId=hit_id, hit_id=hit_id)["HIT"]
        paginator = self.client.get_paginator("list_assignments_for_hit")
        pages = paginator.paginate(
            HITId=hit_id, AssignmentStatuses=WORKER_STATUSES, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        workers = frozenset(
            assignment["WorkerId"]
            for page in self._pages("ListAssignmentsForHIT", pages, hit_id=hit_id)
            for assignment in page["Assignments"]
        )
        created: datetime = hit["CreationTime"]
        return HitReading(
            hit_id=hit_id,
            created=created,
            expiration=hit.get("Expiration"),
            status=hit.get("HITStatus", "Unassignable"),
            pending=int(hit.get("NumberOfAssignmentsPending", 0)),
            workers=workers,
        )

    def hit_state(self, hit_id: str) -> HitState:
        return _hit_state(self._call("GetHIT", HITId=hit_id, hit_id=hit_id)["HIT"])

    def list_hit_states(self) -> list[HitState]:
        paginator = self.client.get_paginator("list_hits")
        pages = paginator.paginate(PaginationConfig={"PageSize": PAGE_SIZE})
        return [_hit_state(hit) for page in self._pages("ListHITs", pages) for hit in page["HITs"]]

    def hit_workers(self, hit_id: str) -> frozenset[str]:
        paginator = self.client.get_paginator("list_assignments_for_hit")
        pages = paginator.paginate(
            HITId=hit_id, AssignmentStatuses=WORKER_STATUSES, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        return frozenset(
            assignment["WorkerId"]
            for page in self._pages("ListAssignmentsForHIT", pages, hit_id=hit_id)
            for assignment in page["Assignments"]
        )

    def list_hits(self) -> list[LiveHit]:
        paginator = self.client.get_paginator("list_hits")
        pages = paginator.paginate(PaginationConfig={"PageSize": PAGE_SIZE})
        return [_live_hit(hit) for page in self._pages("ListHITs", pages) for hit in page["HITs"]]

    # --- changes ------------------------------------------------------------------------------

    def grant(self, type_id: str, worker_id: str, value: int) -> None:
        self._call(
            "AssociateQualificationWithWorker",
            QualificationTypeId=type_id,
            WorkerId=worker_id,
            IntegerValue=value,
            SendNotification=False,
        )

    def revoke(self, type_id: str, worker_id: str, reason: str | None) -> None:
        arguments: dict[str, Any] = {"QualificationTypeId": type_id, "WorkerId": worker_id}
        if reason:
            arguments["Reason"] = reason
        try:
            self._call("DisassociateQualificationFromWorker", **arguments)
        except PlatformError as error:
            # The worker holds nothing to revoke: another run (or a person) revoked it first.
            # That is the state this call was to reach, so it is not a failure.
            if error.code != QUALIFICATION_DOES_NOT_EXIST:
                raise

    # --- error handling -----------------------------------------------------------------------

    def _call(self, operation: str, hit_id: str | None = None, **arguments: Any) -> dict[str, Any]:
        method = getattr(self.client, xform_name(operation))
        try:
            answer: dict[str, Any] = method(**arguments)
        except (ClientError, BotoCoreError) as error:
            raise self._translate(operation, error, hit_id) from None
        return answer

    def _pages(self, operation: str, pages: Any, hit_id: str | None = None) -> Iterator[dict[str, Any]]:
        try:
            yield from pages
        except (ClientError, BotoCoreError) as error:
            raise self._translate(operation, error, hit_id) from None

    def _translate(
        self, operation: str, error: ClientError | BotoCoreError, hit_id: str | None
    ) -> PlatformError:
        if isinstance(error, NoCredentialsError):
            return PlatformError(
                f"no AWS credentials for target '{self.target}': set a profile in config.yaml, "
                "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            turk_code = str(error.response.get("TurkErrorCode", ""))
            if hit_id is not None and turk_code == HIT_DOES_NOT_EXIST:
                return HitGone(hit_id)
            code = details.get("Code", "error")
            message = details.get("Message", "")
            suffix = f" ({turk_code})" if turk_code else ""
            return PlatformError(
                f"{operation} failed on target '{self.target}': {code}: {message}{suffix}",
                code=turk_code or code,
            )
        # botocore's own messages (connection refused, timeouts) name the endpoint, never credentials.
        return PlatformError(f"{operation} failed on target '{self.target}': {error}")


def _live_type(data: Any) -> LiveQualificationType:
    return LiveQualificationType(
        type_id=data["QualificationTypeId"],
        name=data.get("Name", ""),
        description=data.get("Description", ""),
        keywords=data.get("Keywords") or None,
        status=data.get("QualificationTypeStatus", "Active"),
        auto_granted=bool(data.get("AutoGranted", False)),
    )


def _count(data: Any, key: str) -> int | None:
    value = data.get(key)
    return int(value) if value is not None else None


def _hit_state(data: Any) -> HitState:
    return HitState(
        hit_id=data["HITId"],
        created=data["CreationTime"],
        expiration=data.get("Expiration"),
        status=data.get("HITStatus", "Unassignable"),
        pending=int(data.get("NumberOfAssignmentsPending", 0)),
        available=_count(data, "NumberOfAssignmentsAvailable"),
        max_assignments=_count(data, "MaxAssignments"),
    )


def _live_hit(data: Any) -> LiveHit:
    return LiveHit(
        hit_id=data["HITId"],
        title=data.get("Title", ""),
        status=data.get("HITStatus", ""),
        created=data["CreationTime"],
        expiration=data.get("Expiration"),
        requirements=tuple(_requirement(r) for r in data.get("QualificationRequirements") or ()),
    )


def _requirement(data: Any) -> HitRequirement:
    # Without ActionsGuarded, the deprecated RequiredToPreview says what the requirement guards.
    guarded = data.get("ActionsGuarded") or (
        "PreviewAndAccept" if data.get("RequiredToPreview") else "Accept"
    )
    return HitRequirement(data["QualificationTypeId"], data["Comparator"], guarded)
