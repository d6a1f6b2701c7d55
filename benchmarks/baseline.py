"""The approach labs use today: a port to boto3 of the ``participation_record`` class from the
write-up that started this project (old boto, "Gotta catch 'em all" error handling).

Its algorithm is kept as it was, including what makes it slow and unsafe, because that is what
we measure against:

- one call at a time, one HIT after another;
- every page of assignments read twice (once to test that it is not empty, once to keep it),
  at old boto's default page size of 10, until a page comes back empty;
- the holders listed before the grants, and again after them to print a count;
- any error while reading a HIT is printed and read as "no workers" (fail open).

Old boto numbered pages; MTurk's current API chains NextTokens instead, so "the next page" here
is the page the previous NextToken names, and "an empty page" is the end of the chain.
"""

from __future__ import annotations

from typing import Any

PAGE_SIZE = 10  # old boto's default for get_assignments


class ParticipationRecord:
    def __init__(
        self,
        client: Any,
        qualification: str,
        hit_list: list[str] | None = None,
        worker_list: list[str] | None = None,
        remove_hit_list: list[str] | None = None,
        remove_worker_list: list[str] | None = None,
    ) -> None:
        self.mturk = client
        self.qual = qualification
        self.hit_list = hit_list or []
        self.worker_list = worker_list or []
        self.remove_hit_list = remove_hit_list or []
        self.remove_worker_list = remove_worker_list or []

    def get_workers_from_qual(self) -> list[str]:
        workers = []
        arguments: dict[str, Any] = {"QualificationTypeId": self.qual, "Status": "Granted", "MaxResults": 100}
        while True:
            page = self.mturk.list_workers_with_qualification_type(**arguments)
            workers.extend(q["WorkerId"] for q in page["Qualifications"])
            if not page.get("NextToken"):
                return workers
            arguments["NextToken"] = page["NextToken"]

    def _page(self, hit: str, token: str | None) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "HITId": hit,
            "MaxResults": PAGE_SIZE,
            "AssignmentStatuses": ["Submitted", "Approved", "Rejected"],
        }
        if token:
            arguments["NextToken"] = token
        answer: dict[str, Any] = self.mturk.list_assignments_for_hit(**arguments)
        return answer

    def get_all_assignments(self, hit: str) -> list[dict[str, Any]]:
        assignments: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            if len(self._page(hit, token)["Assignments"]) == 0:  # the test read
                return assignments
            page = self._page(hit, token)  # the same page, read again to keep it
            assignments.extend(page["Assignments"])
            token = page.get("NextToken")
            if not token:
                return assignments

    def get_workers_from_hit(self, hit: str) -> list[str]:
        try:
            return [a["WorkerId"] for a in self.get_all_assignments(hit)]
        except Exception:
            print(f"Hit: {hit} is no longer reviewable or was entered incorrectly")
            return []

    def get_workers_from_all_hits(self, hits: list[str]) -> list[str]:
        all_workers: list[str] = []
        for hit in hits:
            all_workers.extend(self.get_workers_from_hit(hit))
        return all_workers

    def add_qualification(self, worker: str) -> bool:
        try:
            self.mturk.associate_qualification_with_worker(
                QualificationTypeId=self.qual, WorkerId=worker, IntegerValue=1, SendNotification=False
            )
        except Exception:
            print(f"Worker: {worker} no longer exists or was entered incorrectly")
            return False
        return True

    def remove_qualification(self, worker: str) -> bool:
        try:
            self.mturk.disassociate_qualification_from_worker(
                QualificationTypeId=self.qual, WorkerId=worker, Reason="Bulk Administration"
            )
        except Exception:
            print(f"Worker: {worker} does not have this qualification or was entered incorrectly")
            return False
        return True

    def get_workers_list(self) -> list[str]:
        workers = self.get_workers_from_all_hits(self.hit_list)
        workers.extend(self.worker_list)
        return workers

    def remove_workers_list(self) -> list[str]:
        workers = self.get_workers_from_all_hits(self.remove_hit_list)
        workers.extend(self.remove_worker_list)
        return workers

    def participation_record_update(self) -> tuple[int, int, int]:
        add_counter = 0
        remove_counter = 0
        remove_workers = set(self.remove_workers_list())
        new_workers = set(self.get_workers_list())
        for worker in remove_workers:
            if self.remove_qualification(worker):
                remove_counter += 1
        current_workers = set(self.get_workers_from_qual())
        for worker in new_workers:
            if worker not in current_workers and self.add_qualification(worker):
                add_counter += 1
        holders = len(self.get_workers_from_qual())
        return add_counter, remove_counter, holders
