"""The Prolific implementation of ``Platform``, on httpx.

A pool's "qualification type" is a participant group, its holders the group's members, a "HIT" a
Prolific study and its "workers" the participants of its submissions. Membership changes are
additions to and removals from the group (``POST``/``DELETE`` of ``participants/``, in batches);
``PATCH`` of ``participant_ids`` replaces the whole membership and is never sent.

Every answer that is not a success after the retries becomes a ``PlatformError``: a failed page
is never taken for an empty one, and a member listing whose length differs from the group's
``participant_count`` fails the read.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from reconciler.core.live import (
    HitReading,
    HitRequirement,
    HitState,
    LiveHit,
    LiveQualificationType,
    QualificationTypeSettings,
)
from reconciler.kinds.prolific import PROLIFIC
from reconciler.platform.base import GroupGone, PlatformError, UnitGone

# A participant who saw the study saw the deception: every submission counts, whether approved,
# rejected, still in progress (RESERVED, ACTIVE), returned or timed out, and exclusion does not
# wait for the study to end. Only a participant screened out by the study's screener did not
# reach the study itself.
NOT_TAKEN_PART = frozenset({"SCREENED OUT"})
MAX_PAGES = 10_000  # a listing longer than this is taken for a misbehaving server
MAX_EMPTY_PAGES = 10
# A study in these states takes no more participants: with none in progress, its capture is final.
CLOSED_STUDY = frozenset({"COMPLETED", "AWAITING REVIEW"})
BLOCKLIST_FILTER = "participant_group_blocklist"
# A study as an audit of open "HITs" sees it: an active or scheduled study takes participants, a
# paused one can take them again once resumed (as an Unassignable HIT); the rest are closed.
AS_HIT_STATUS = {"ACTIVE": "Assignable", "SCHEDULED": "Assignable", "PAUSED": "Unassignable"}
BATCH_SIZE = 500  # participant IDs per POST or DELETE of a group's members
MAX_ATTEMPTS = 8
RETRIED = frozenset({429, 500, 502, 503, 504})


def max_attempts() -> int:
    """``PROLIFIC_MAX_ATTEMPTS`` when set (as ``AWS_MAX_ATTEMPTS`` for MTurk), else ours."""
    configured = os.environ.get("PROLIFIC_MAX_ATTEMPTS", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else MAX_ATTEMPTS


class ProlificPlatform:
    """``Platform`` over one httpx client (thread-safe, shared by every worker thread)."""

    kind = PROLIFIC

    batch_size = BATCH_SIZE

    def __init__(
        self,
        client: httpx.Client,
        *,
        target: str,
        workspace_id: str | None,
        project_id: str | None,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: float = 0.05,
    ) -> None:
        self.client = client
        self.target = target
        self.workspace_id = workspace_id
        self.project_id = project_id
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._retries = 0
        self._lock = threading.Lock()

    @property
    def retries(self) -> int:
        """Answers retried so far (429 or 5xx), for the record."""
        return self._retries

    # --- HTTP ------------------------------------------------------------------------------------

    def _call(
        self, method: str, url: str, *, json: Any = None, what: str, gone: PlatformError | None = None
    ) -> Any:
        """The decoded answer; 429 and 5xx are retried with exponential backoff (or Retry-After).
        ``gone``: raised instead when Prolific answers 404 (the thing asked for by its ID)."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.client.request(method, url, json=json)
            except httpx.HTTPError as error:
                if attempt == self.max_attempts:
                    raise PlatformError(f"{what}: {error}") from None
                self._wait(attempt, None)
                continue
            if response.status_code in RETRIED and attempt < self.max_attempts:
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code == 404 and gone is not None:
                raise gone
            if response.status_code >= 400:
                raise PlatformError(
                    f"{what}: Prolific answered {response.status_code} {_detail(response)}",
                    code=str(response.status_code),
                )
            return response.json() if response.content else None
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        with self._lock:
            self._retries += 1
        delay = self.backoff * 2 ** (attempt - 1)
        if retry_after and retry_after.replace(".", "", 1).isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(min(delay, 30.0))

    def _pages(self, url: str, what: str) -> Iterator[dict[str, Any]]:
        """Every page of a listing, following ``_links.next`` to the end; a link already followed
        (pages in a circle), empty pages that keep promising more, or a listing that never ends
        fail the run rather than loop forever."""
        next_url: str | None = url
        seen: set[str] = set()
        empty_in_a_row = 0
        for _ in range(MAX_PAGES):
            if not next_url:
                return
            if next_url in seen:
                raise PlatformError(
                    f"{what}: Prolific's next page is one already read (the pages run in a circle)"
                )
            seen.add(next_url)
            page = self._call("GET", next_url, what=what)
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise PlatformError(f"{what}: Prolific answered without a list of results")
            yield page
            next_link = (page.get("_links") or {}).get("next") or {}
            next_url = next_link.get("href")
            empty_in_a_row = 0 if page["results"] else empty_in_a_row + 1
            if next_url and empty_in_a_row >= MAX_EMPTY_PAGES:
                raise PlatformError(f"{what}: {MAX_EMPTY_PAGES} empty pages in a row, each promising more")
        if next_url:
            raise PlatformError(f"{what}: more than {MAX_PAGES:,} pages; the listing does not end")

    # --- groups ----------------------------------------------------------------------------------

    def find_qualification_type(self, name: str, pinned_id: str | None) -> LiveQualificationType | None:
        if pinned_id:
            group = self._call(
                "GET",
                f"/api/v1/participant-groups/{pinned_id}/",
                what=f"participant group {pinned_id}",
                gone=GroupGone(PROLIFIC, pinned_id),
            )
            if group.get("is_deleted"):  # Prolific may still answer for a deleted group
                raise GroupGone(PROLIFIC, pinned_id)
            return _as_type(group)
        scope = f"workspace_id={self.workspace_id}" if self.workspace_id else f"project_id={self.project_id}"
        listing = self._call("GET", f"/api/v1/participant-groups/?{scope}", what="listing participant groups")
        found = [g for g in listing.get("results") or [] if g.get("name") == name and not g.get("is_deleted")]
        if len(found) > 1:
            ids = ", ".join(str(g.get("id")) for g in found)
            raise PlatformError(
                f"{len(found)} participant groups are named '{name}' ({ids}); "
                "pin the right one under the pool's qualification_type_id in config.yaml"
            )
        return _as_type(found[0]) if found else None

    def create_qualification_type(self, settings: QualificationTypeSettings) -> LiveQualificationType:
        if not self.workspace_id:
            raise PlatformError(
                f"cannot create the participant group '{settings.name}': Prolific creates groups in "
                "a workspace; set the target's workspace_id, or create the group and pin its ID"
            )
        body = {"workspace_id": self.workspace_id, "name": settings.name, "description": settings.description}
        group = self._call("POST", "/api/v1/participant-groups/", json=body, what="creating a group")
        return _as_type(group)

    def update_qualification_type(self, type_id: str, settings: QualificationTypeSettings) -> None:
        raise PlatformError(
            f"Prolific cannot change the description of participant group {type_id}; "
            "set the pool's description in config.yaml to the group's"
        )

    def list_holders(self, type_id: str) -> dict[str, int]:
        """Every member (value 1: a group holds membership only), checked against the group's count."""
        what = f"listing the members of group {type_id}"
        group = self._call(
            "GET",
            f"/api/v1/participant-groups/{type_id}/",
            what=f"participant group {type_id}",
            gone=GroupGone(PROLIFIC, type_id),
        )
        members: dict[str, int] = {}
        rows = 0
        for page in self._pages(f"/api/v1/participant-groups/{type_id}/participants/", what):
            for row in page["results"]:
                rows += 1
                members[str(row["participant_id"])] = 1
        expected = group.get("participant_count")
        if expected is None or rows != expected or len(members) != expected:
            raise PlatformError(
                f"{what}: read {len(members)} members but the group reports {expected}; "
                "not planning from an incomplete listing, try again"
            )
        return members

    def exclusion(self, type_id: str, actions_guarded: str) -> dict[str, Any]:
        """The blocklist filter: a member of the group can neither see nor take the study (on
        Prolific a filter always hides the study, so ``actions_guarded`` changes nothing)."""
        return blocklist_filter([type_id])

    def grant(self, type_id: str, worker_id: str, value: int) -> None:
        self.grant_many(type_id, [worker_id])

    def revoke(self, type_id: str, worker_id: str, reason: str | None) -> None:
        self.revoke_many(type_id, [worker_id])

    def grant_many(self, type_id: str, worker_ids: list[str]) -> None:
        """Add participants to the group (Prolific ignores those already in it)."""
        self._call(
            "POST",
            f"/api/v1/participant-groups/{type_id}/participants/",
            json={"participant_ids": worker_ids},
            what=f"adding {len(worker_ids)} participants to group {type_id}",
        )

    def revoke_many(self, type_id: str, worker_ids: list[str]) -> None:
        """Remove participants from the group (nobody is notified)."""
        self._call(
            "DELETE",
            f"/api/v1/participant-groups/{type_id}/participants/",
            json={"participant_ids": worker_ids},
            what=f"removing {len(worker_ids)} participants from group {type_id}",
        )

    # --- studies ---------------------------------------------------------------------------------

    def read_hit(self, hit_id: str) -> HitReading:
        return self.hit_state(hit_id).with_workers(self.hit_workers(hit_id))

    def hit_state(self, hit_id: str) -> HitState:
        """A Prolific study as a HIT's state. Its counts are not a HIT's (places are taken and
        freed as submissions come and go), so they are left unknown: a study's submissions are
        always listed again until it is closed, never skipped on a guess."""
        return _study_state(
            self._call(
                "GET",
                f"/api/v1/studies/{hit_id}/",
                what=f"Prolific study {hit_id}",
                gone=UnitGone(PROLIFIC, hit_id),
            )
        )

    def list_hit_states(self) -> list[HitState]:
        listing = self._pages("/api/v1/studies/", "listing studies")
        return [_study_state(study) for page in listing for study in page["results"]]

    def hit_workers(self, hit_id: str) -> frozenset[str]:
        """A Prolific study's participants: every submission but a screened-out one."""
        return frozenset(
            str(row["participant_id"])
            for page in self._pages(
                f"/api/v1/studies/{hit_id}/submissions/", f"submissions of study {hit_id}"
            )
            for row in page["results"]
            if row.get("status") not in NOT_TAKEN_PART
        )

    def list_hits(self) -> list[LiveHit]:
        """Every study with its blocklist filters as ``DoesNotExist`` requirements of those groups."""
        listing = self._call("GET", "/api/v1/studies/", what="listing studies")
        hits = []
        for study in listing.get("results") or []:
            blocked = [
                str(group)
                for item in study.get("filters") or []
                if item.get("filter_id") == BLOCKLIST_FILTER
                for group in item.get("selected_values") or []
            ]
            hits.append(
                LiveHit(
                    hit_id=str(study["id"]),
                    title=str(study.get("internal_name") or study.get("name") or ""),
                    status=AS_HIT_STATUS.get(str(study.get("status")), str(study.get("status") or "")),
                    created=_time(study.get("date_created")),
                    expiration=None,
                    requirements=tuple(
                        HitRequirement(group, "DoesNotExist", "DiscoverPreviewAndAccept") for group in blocked
                    ),
                )
            )
        return hits


def _study_state(study: dict[str, Any]) -> HitState:
    created = _time(study.get("date_created"))
    status = str(study.get("status") or "ACTIVE")
    return HitState(
        hit_id=str(study["id"]),
        created=created,
        # A closed study takes nobody new: its end is its "expiration" for the capture rules.
        expiration=created if status in CLOSED_STUDY else None,
        status=status,
        pending=0,
        available=None,
        max_assignments=None,
    )


def blocklist_filter(group_ids: list[str]) -> dict[str, Any]:
    """The filter that keeps a group's members out of a new Prolific study."""
    return {"filter_id": BLOCKLIST_FILTER, "selected_values": group_ids}


def _as_type(group: dict[str, Any]) -> LiveQualificationType:
    return LiveQualificationType(
        type_id=str(group["id"]),
        name=str(group.get("name") or ""),
        description=str(group.get("description") or ""),
        keywords=None,
        status="Active",
        auto_granted=False,
    )


def _time(text: Any) -> datetime:
    if not isinstance(text, str):
        raise PlatformError("Prolific answered a study without its creation date")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    detail = error.get("detail") if isinstance(error, dict) else None
    return str(detail or response.reason_phrase)


def make_client(base_url: str, token: str, max_concurrency: int) -> httpx.Client:
    limits = httpx.Limits(max_connections=max_concurrency + 2, max_keepalive_connections=max_concurrency + 2)
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Token {token}", "User-Agent": "study-exclusions"},
        limits=limits,
        timeout=httpx.Timeout(60.0, connect=10.0),
    )
