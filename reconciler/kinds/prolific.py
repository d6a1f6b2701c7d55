"""Prolific, as the tool knows it: its words, rules, ID formats and targets.

A pool is a participant group; a study file's ``prolific_studies:`` and ``participants:`` are what
it excludes; a new study keeps the group out with a ``participant_group_blocklist`` filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.core.model import ClientLimits
from reconciler.core.platform_kind import IdFormat, PlatformKind, Words
from reconciler.kinds.hosts import on_loopback

API = "https://api.prolific.com"
HEX_ID = re.compile(r"[0-9a-f]{24}")

PROLIFIC = PlatformKind(
    key="prolific",
    name="Prolific",
    words=Words(
        group="participant group",
        groups="participant groups",
        holder="participant",
        holders="participants",
        unit="Prolific study",
        units="Prolific studies",
        grant="add",
        granted="added",
        revoke="remove",
        revoked="removed",
        held="is a member of the participant group",
        units_key="prolific_studies",
        holders_key="participants",
        exclusion="participant_group_blocklist filter",
        open_units="active Prolific studies",
        live_holders="the members of the participant groups",
        where_ids_are="the study's page on app.prolific.com (the 24 characters after /studies/)",
    ),
    holder_id=IdFormat(HEX_ID, "24 hexadecimal characters"),
    unit_id=IdFormat(
        HEX_ID,
        "24 hexadecimal characters",
        # app.prolific.com/researcher/workspaces/studies/<id>/..., or ?study=<id> in older links.
        re.compile(r"/studies/([0-9a-f]{24})(?:[/?#]|$)|[?&](?:study|study_id)=([0-9a-f]{24})"),
    ),
    disposal_age=None,  # Prolific keeps its studies: no record is lost to age
    protect_how="add the filter printed by `exclusions requirement POOL` to each study",
    holds_values=False,
    updates_description=False,
    has_keywords=False,
    rename_note="the tool never renames a participant group, whose ID may be another group's",
    vanished_note="someone deleted it on Prolific",
)


@dataclass(frozen=True, slots=True)
class ProlificTarget:
    """Prolific: a pool is a participant group in ``workspace_id`` (or ``project_id``).

    The API token comes from the environment variable ``token_env``, never from a file. With
    ``local`` set, the embedded local Prolific is started instead (no account, no token).
    """

    name: str
    workspace_id: str | None = None
    project_id: str | None = None
    token_env: str = "PROLIFIC_TOKEN"  # noqa: S105 - the name of a variable, not a token
    base_url: str = API
    local: bool = False
    state_path: Path | None = None
    seed_path: Path | None = None
    limits: ClientLimits = field(default_factory=ClientLimits)
    retired: bool = False
    kind: PlatformKind = field(default=PROLIFIC, init=False)

    @property
    def on_this_machine(self) -> bool:
        return self.local or on_loopback(self.base_url)
