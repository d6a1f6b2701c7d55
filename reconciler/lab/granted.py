"""Writing the record of who the repository listed among each pool's holders at the last apply.

``exclusions/locks/<target>/granted/<pool>.yaml`` lists the holders of the pool's qualification
(or members of its group) that some study of the pool listed when ``apply`` last ran, and the
pool's studies then. It is what tells a holder whose study file was deleted, or whose
``workers:`` line was removed (revoked), from one granted by hand or by another tool (kept, unless
the pool's outside_holders is revoke). ``lab/loading.load_grant_records`` reads it.

One file per pool, so a lab's pools do not rewrite each other's record, and a file is written
only when its content changes: a pool of 200,000 holders is a few megabytes of YAML.
"""

from __future__ import annotations

from datetime import datetime

from reconciler.core.model import GrantRecord
from reconciler.lab.layout import Layout
from reconciler.lab.schemas import GRANTED_SCHEMA
from reconciler.lab.yaml_writer import file_time, rewriting, sorted_list

HEADER = (
    "Written by `exclusions apply`: the holders of this pool's qualification (or members of its\n"
    "group) that some study of the pool listed at the last apply, and the pool's studies then. A\n"
    "plan revokes a holder listed here whom no study lists any more, and keeps one the repository\n"
    "never listed. Commit it; do not edit it by hand."
)


def record_grants(layout: Layout, target: str, pool: str, record: GrantRecord, now: datetime) -> None:
    path = layout.granted_file(target, pool)
    with rewriting(layout, path, GRANTED_SCHEMA, HEADER) as document:
        document["format_version"] = 1
        document["target"] = target
        document["pool"] = pool
        document["recorded_at"] = file_time(now)
        document["studies"] = sorted_list(document.get("studies"), record.studies)
        document["workers"] = sorted_list(document.get("workers"), record.workers)
