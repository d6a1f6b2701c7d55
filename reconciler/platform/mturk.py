"""The MTurk implementation of ``Platform``, on boto3.

Every API error that survives botocore's retries becomes a ``PlatformError``: a failed page is
never taken for an empty one. Every answer is checked before use (``answers``): a malformed one
is retried like a 5xx, then fails the run naming the operation. Listings are paged here rather
than by botocore's paginator, which only notices a token repeated twice in a row: a token seen
before, or a run of empty pages, fails the listing instead of looping forever. Every run has a
deadline. Error messages are printed without request headers or credentials (``redact``).
Grants never notify the worker; revocations send a reason (which makes MTurk email the worker)
only when the lab set one on purpose.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
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
from reconciler.kinds.mturk import MTURK
from reconciler.platform import answers
from reconciler.platform.answers import MalformedAnswer
from reconciler.platform.base import GroupGone, PlatformError, UnitGone
from reconciler.platform.ratelimit import RateLimiter, ThrottleFollower
from reconciler.platform.redact import redact

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_mturk import MTurkClient

PAGE_SIZE = 100  # MTurk's maximum
# Every assignment whose worker saw the study; a rejected worker saw the deception all the same.
WORKER_STATUSES: list[Literal["Submitted", "Approved", "Rejected"]] = ["Submitted", "Approved", "Rejected"]
HIT_DOES_NOT_EXIST = "AWS.MechanicalTurk.HITDoesNotExist"
TYPE_DOES_NOT_EXIST = "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
QUALIFICATION_DOES_NOT_EXIST = "AWS.MechanicalTurk.QualificationDoesNotExist"
MAX_ATTEMPTS = 10
# A listing of a million entries is 10,000 pages; beyond that, or after this many empty pages in
# a row that still promise more, the platform is not paging towards an end.
MAX_PAGES = 10_000
MAX_EMPTY_PAGES = 10
# Runs end with a clear error rather than hang; generous enough for 100,000 grants at 10/s,
# and shorter than GitHub's 6-hour limit for a job, which would kill the run without a word.
DEFAULT_DEADLINE_SECONDS = 5 * 3600
DEADLINE_VARIABLE = "EXCLUSIONS_DEADLINE_SECONDS"


def max_attempts() -> int:
    """AWS's own ``AWS_MAX_ATTEMPTS`` when set (as every AWS tool honours it), else ours."""
    configured = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else MAX_ATTEMPTS


def deadline_seconds() -> float:
    """``EXCLUSIONS_DEADLINE_SECONDS`` when set to a positive number, else the default."""
    configured = os.environ.get(DEADLINE_VARIABLE, "")
    try:
        seconds = float(configured)
    except ValueError:
        return DEFAULT_DEADLINE_SECONDS
    return seconds if seconds > 0 else DEFAULT_DEADLINE_SECONDS


class DeadlinePassed(PlatformError):
    """The run's deadline passed: no further call is made."""


class Deadline:
    """The moment after which a run makes no more calls (checked before every attempt)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self, **_: Any) -> None:
        """Also a botocore ``before-send`` handler, so botocore's own retries stop too."""
        if time.monotonic() >= self.ends:
            raise DeadlinePassed(f"the run passed its deadline of {self.seconds:g} s ({DEADLINE_VARIABLE})")


def client_config(max_concurrency: int) -> Config:
    """Adaptive retries: throttling and 5xx answers are retried with backoff and client-side pacing."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts()},
        max_pool_connections=max_concurrency + 2,
        # A stalled answer is abandoned (and retried) by the deadline at the latest.
        connect_timeout=min(10.0, deadline_seconds()),
        read_timeout=min(60.0, deadline_seconds()),
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

    kind = MTURK

    def __init__(
        self,
        client: MTurkClient,
        *,
        target: str,
        deadline: Deadline | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.client = client
        self.target = target
        self.deadline = deadline or Deadline(deadline_seconds())
        self.secrets = secrets  # the caller's credentials, never to be printed
        client.meta.events.register("before-send.mturk", self.deadline.check)

    # --- qualification types ------------------------------------------------------------------

    def find_qualification_type(self, name: str, pinned_id: str | None) -> LiveQualificationType | None:
        if pinned_id:
            answer = self._call(
                "GetQualificationType",
                group_id=pinned_id,
                check=answers.one("QualificationType", answers.qualification_type),
                QualificationTypeId=pinned_id,
            )
            return _live_type(answer["QualificationType"])
        found = self._listing(
            "ListQualificationTypes",
            "QualificationTypes",
            answers.qualification_type,
            Query=name,
            MustBeRequestable=False,
            MustBeOwnedByCaller=True,
        )
        # Query is a search, not an exact match: the exact name is what identifies a pool's type.
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
        answer = self._call(
            "CreateQualificationType",
            check=answers.one("QualificationType", answers.qualification_type),
            **arguments,
        )
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
        listed = self._listing(
            "ListWorkersWithQualificationType",
            "Qualifications",
            answers.holder,
            QualificationTypeId=type_id,
            Status="Granted",
        )
        return {qualification["WorkerId"]: int(qualification["IntegerValue"]) for qualification in listed}

    def read_hit(self, hit_id: str) -> HitReading:
        return self.hit_state(hit_id).with_workers(self.hit_workers(hit_id))

    def hit_state(self, hit_id: str) -> HitState:
        hit = self._call("GetHIT", hit_id=hit_id, check=answers.one("HIT", answers.hit), HITId=hit_id)["HIT"]
        if hit["HITId"] != hit_id:
            raise PlatformError(
                f"GetHIT failed on target '{self.target}': asked for HIT {hit_id}, got another"
            )
        return _hit_state(hit)

    def list_hit_states(self) -> list[HitState]:
        return [_hit_state(hit) for hit in self._listing("ListHITs", "HITs", answers.hit)]

    def hit_workers(self, hit_id: str) -> frozenset[str]:
        assignments = self._listing(
            "ListAssignmentsForHIT",
            "Assignments",
            answers.assignment_of(WORKER_STATUSES),
            hit_id=hit_id,
            HITId=hit_id,
            AssignmentStatuses=WORKER_STATUSES,
        )
        return frozenset(assignment["WorkerId"] for assignment in assignments)

    def list_hits(self) -> list[LiveHit]:
        return [_live_hit(hit) for hit in self._listing("ListHITs", "HITs", answers.hit)]

    def exclusion(self, type_id: str, actions_guarded: str) -> dict[str, Any]:
        return {
            "QualificationTypeId": type_id,
            "Comparator": "DoesNotExist",
            "ActionsGuarded": actions_guarded,
        }

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

    def _call(
        self,
        operation: str,
        hit_id: str | None = None,
        check: answers.Check = answers.nothing,
        group_id: str | None = None,
        **arguments: Any,
    ) -> dict[str, Any]:
        """One call, its answer checked; a malformed answer is retried as botocore retries a 5xx."""
        method = getattr(self.client, xform_name(operation))
        attempts = max_attempts()
        for attempt in range(1, attempts + 1):
            try:
                self.deadline.check()
                answer: dict[str, Any] = method(**arguments)
                check(answer)
            except DeadlinePassed as passed:
                raise DeadlinePassed(f"{operation} not made on target '{self.target}': {passed}") from None
            except (ClientError, BotoCoreError) as error:
                raise self._translate(operation, error, hit_id, group_id) from None
            except (MalformedAnswer, ValueError, TypeError, AttributeError) as error:
                # ValueError and the rest: botocore could not parse a field (a broken timestamp).
                if attempt == attempts:
                    what = redact(str(error), self.secrets) or type(error).__name__
                    raise PlatformError(
                        f"{operation} failed on target '{self.target}': a malformed answer "
                        f"({what}), {attempts} time(s) in a row"
                    ) from None
                time.sleep(_backoff(attempt))
                continue
            return answer
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _listing(
        self,
        operation: str,
        list_key: str,
        item: Callable[[Any], None],
        hit_id: str | None = None,
        **arguments: Any,
    ) -> list[dict[str, Any]]:
        """Every entry of a paged listing, each page checked; fails on a token cycle or runaway."""
        check = answers.page_of(list_key, item)
        entries: list[dict[str, Any]] = []
        seen: set[str] = set()
        token: str | None = None
        empty_in_a_row = 0
        for page_number in range(1, MAX_PAGES + 1):
            paging: dict[str, Any] = {"MaxResults": PAGE_SIZE} | ({"NextToken": token} if token else {})
            page = self._call(operation, hit_id=hit_id, check=check, **arguments, **paging)
            entries.extend(page[list_key])
            token = page.get("NextToken")
            if not token:
                return entries
            if token in seen:
                raise PlatformError(
                    f"{operation} failed on target '{self.target}': page {page_number} gave a "
                    "NextToken already used in this listing (the pages run in a circle)"
                )
            seen.add(token)
            empty_in_a_row = 0 if page[list_key] else empty_in_a_row + 1
            if empty_in_a_row >= MAX_EMPTY_PAGES:
                raise PlatformError(
                    f"{operation} failed on target '{self.target}': {MAX_EMPTY_PAGES} empty pages "
                    "in a row, each promising more"
                )
        raise PlatformError(
            f"{operation} failed on target '{self.target}': more than {MAX_PAGES:,} pages "
            f"of {PAGE_SIZE}; the listing does not end"
        )

    def _translate(
        self, operation: str, error: ClientError | BotoCoreError, hit_id: str | None, group_id: str | None
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
                return UnitGone(MTURK, hit_id)
            if group_id is not None and turk_code == TYPE_DOES_NOT_EXIST:
                return GroupGone(MTURK, group_id)
            code = redact(str(details.get("Code", "error")), self.secrets)
            message = redact(str(details.get("Message", "")), self.secrets)
            suffix = f" ({redact(turk_code, self.secrets)})" if turk_code else ""
            return PlatformError(
                f"{operation} failed on target '{self.target}': {code}: {message}{suffix}",
                code=turk_code or code,
            )
        # botocore's own messages (connection refused, timeouts) name the endpoint; redacted all
        # the same, since a proxy's answer can end up quoted in them.
        return PlatformError(
            f"{operation} failed on target '{self.target}': {redact(str(error), self.secrets)}"
        )


def _backoff(attempt: int) -> float:
    """Seconds before retrying a malformed answer: exponential with jitter, as botocore's."""
    return float(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto


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
