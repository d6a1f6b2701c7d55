"""The machine-written record of each pool's qualification type (or group) on one target.

``exclusions/locks/<target>/pools.yaml`` holds the ID of the pool's qualification type (or group)
on this target, written the moment the tool creates or adopts it. Later runs read the type by
that ID and never search for it by name again, so neither a lagging search index nor a rename in
config.yaml can point the lab at a new type. Written with ruamel.yaml's round-trip dumper (a
comment a lab added survives), one run at a time, like the captures beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ruamel.yaml.comments import CommentedMap

from reconciler.core.problems import InvalidInput, Problem
from reconciler.lab.layout import Layout
from reconciler.lab.schemas import POOLS_SCHEMA, schema_problems
from reconciler.lab.yaml_files import locate, read_document
from reconciler.lab.yaml_writer import file_time, rewriting

HEADER = (
    "Written by `exclusions plan` and `apply`: the ID of each pool's qualification type (or group)\n"
    "on this target, recorded when the tool created or adopted it. Later runs read the type by this\n"
    "ID instead of searching for its name. Commit it; do not edit it by hand."
)


def read_pool_types(layout: Layout, target: str) -> dict[str, str]:
    """Pool key -> the recorded ID on ``target``; empty when nothing is recorded yet. A file that
    cannot be used raises ``InvalidInput`` at its line: guessing would mean searching by name."""
    path = layout.pool_types_file(target)
    if not path.is_file():
        return {}
    document = read_document(path, root=layout.root)
    problems = schema_problems(path, document.data, POOLS_SCHEMA)
    if not problems and document.data["target"] != target:
        line, column = locate(path, ["target"])
        problems = [
            Problem(
                path,
                f"records target '{document.data['target']}' but lies in the folder of target '{target}'",
                f"set target: {target}, or move the file to exclusions/locks/{document.data['target']}/",
                line,
                column,
            )
        ]
    if problems:
        raise InvalidInput(problems)
    return {pool: str(entry["id"]) for pool, entry in document.data["pools"].items()}


def record_pool_types(
    layout: Layout, target: str, recorded: Mapping[str, tuple[str, str]], now: datetime
) -> None:
    """Record pool key -> (ID, name) on ``target``, keeping every other pool's entry."""
    if not recorded:
        return
    path = layout.pool_types_file(target)
    with rewriting(layout, path, POOLS_SCHEMA, HEADER) as document:
        document["format_version"] = 1
        document["target"] = target
        pools = document.get("pools")
        if not isinstance(pools, CommentedMap):
            pools = CommentedMap()
            document["pools"] = pools
        moment = file_time(now)
        for pool in sorted(recorded):
            type_id, name = recorded[pool]
            pools[pool] = CommentedMap([("id", type_id), ("name", name), ("recorded_at", moment)])
