"""The answers of ``why``, ``holders`` and ``export`` as text, CSV and JSON.

Worker IDs go through the masker the caller passes (masked unless the user asked for them whole).
The columns of the export are documented here, once, and that documentation travels with the data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from reconciler.core.answers import CaptureState, PoolRecord, Record, Standing
from reconciler.core.platform_kind import PlatformKind

Mask = Callable[[str], str]
EXPORT_FORMAT_VERSION = 1

# One row per holder, pool and study the holder took part in. The column names are the same on
# every platform; what each means is said in the platform's words (``export_columns``).
EXPORT_COLUMN_NAMES = (
    "pool",
    "platform",
    "target",
    "participant",
    "study",
    "study_status",
    "study_exclude_until",
    "study_excludes_today",
    "via",
    "took_part_since",
    "pool_count",
    "excluded",
    "excluded_since",
    "excluded_until",
)


def export_columns(kind: PlatformKind) -> dict[str, str]:
    """What each column of the export means, in the words of ``kind``'s platform."""
    words = kind.words
    count = (
        f"how many of the pool's excluding studies the participant took part in (the {words.group}'s value)"
        if kind.holds_values
        else "how many of the pool's excluding studies the participant took part in"
    )
    columns = {
        "pool": "the exclusion pool (a key of config.yaml's pools)",
        "platform": f"the crowd platform of the target ({kind.key})",
        "target": "the target whose captures were read (config.yaml's targets)",
        "participant": f"the {words.holder}'s ID (masked, a few characters around an ellipsis, unless exported "
        "with --show-ids)",
        "study": "the study the participant took part in (its file under exclusions/studies/)",
        "study_status": "active or released",
        "study_exclude_until": "the study's exclude_until (YYYY-MM-DD), empty when it has none",
        "study_excludes_today": "true when the study's participants are excluded on the export's date",
        "via": f"the {words.units} (space-separated) that recorded the participation, and "
        f"'{words.holders_key}:' when the study file lists the participant directly",
        "took_part_since": f"the creation time (UTC) of the earliest of those {words.units}; empty when the "
        "participant is listed directly (no date is recorded)",
        "pool_count": count,
        "excluded": "true when the participant is excluded from the pool (pool_count >= the pool's exclude_after)",
        "excluded_since": "when the exclusion began (UTC); empty when not excluded or a date is not recorded",
        "excluded_until": "the last day of the exclusion if no study is released; 'until released' when a study "
        "without exclude_until keeps it",
    }
    assert tuple(columns) == EXPORT_COLUMN_NAMES
    return columns


def _one(plural_key: str) -> str:
    """A listing key made singular, for one entry: ``hits`` -> ``hit``, ``prolific_studies`` ->
    ``prolific_study``."""
    return plural_key[:-3] + "y" if plural_key.endswith("ies") else plural_key.removesuffix("s")


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def _until(standing: Standing) -> str:
    if not standing.excluded:
        return ""
    return _when(standing.until) if standing.until else "until released"


def _via(via: tuple[str, ...]) -> str:
    return " ".join(via)


# --- why -------------------------------------------------------------------------------------


def why_text(record: Record, worker_id: str, mask: Mask, live: Mapping[str, int | None] | None) -> str:
    kind = record.platform
    words = kind.words
    lines = [f"{mask(worker_id)} on target '{record.target}' ({kind.name}), as of {record.today}:"]
    for standing in record.why(worker_id):
        pool = record.pools[standing.pool]
        verdict = "EXCLUDED" if standing.excluded else "not excluded"
        lines.append("")
        lines.append(
            f"pool {pool.key}: {verdict} (in {standing.count} of its excluding studies; "
            f"excluded after {pool.exclude_after})"
        )
        if not standing.memberships:
            lines.append("  took part in none of its studies")
        for membership in standing.memberships:
            study = record.studies[membership.study_id]
            counts = "counts" if membership.counts else "does not count"
            lines.append(f"  study {study.study_id} ({study.ends}; {counts}): {study.title}")
            for source in membership.via:
                if source in record.hits:
                    hit = record.hits[source]
                    where = hit.capture_path or "a capture"
                    lines.append(
                        f"    {words.unit} {hit.hit_id}, created {_when(hit.created) or 'unknown'}, "
                        f"recorded in {where} at {_when(hit.captured_at)} ({hit.state.value})"
                    )
                else:
                    lines.append(f"    listed under {source} in exclusions/studies/{study.study_id}.yaml")
        if standing.excluded:
            since = _when(standing.since) or "a date not recorded (listed directly)"
            lines.append(f"  since {since}")
        lines.append(f"  what would change it: {standing.change}")
        if live is not None:
            value = live.get(pool.key)
            if value is None:
                held = f"is not in the {words.group}" if not kind.holds_values else "does not hold it"
            else:
                held = words.held + (f" with value {value}" if kind.holds_values else "")
            if value is not None and not standing.excluded:
                # Granted by hand or by another tool (kept by default), or a revocation pending.
                held += (
                    "; no excluding study here accounts for it: held outside the repository, "
                    "or its revocation is pending (`exclusions plan` says which)"
                )
            lines.append(f"  live on '{record.target}': {held}")
    if not any(standing.memberships for standing in record.why(worker_id)):
        lines.append("")
        lines.append(
            f"note: no study file or capture of target '{record.target}' names this {words.holder}; "
            f"check the ID ({kind.name} {words.holder} IDs are {kind.holder_id.description})"
        )
    lines.extend(uncaptured_lines(record))
    return "\n".join(lines) + "\n"


def uncaptured_lines(record: Record) -> list[str]:
    """What the answers do not know: units of work never captured on the target."""
    missing = record.uncaptured
    if not missing:
        return []
    words = record.platform.words
    return [
        "",
        f"note: {len(missing)} {words.unit}(s) have no capture on target '{record.target}', so their "
        f"{words.holders} are not counted here: {', '.join(hit.hit_id for hit in missing)} "
        f"(run `exclusions capture --target {record.target}` and commit the captures)",
    ]


# --- holders ---------------------------------------------------------------------------------


def holders_json(record: Record, pool: PoolRecord, mask: Mask) -> dict[str, Any]:
    return {
        "pool": pool.key,
        "target": record.target,
        "platform": record.platform.key,
        "as_of": record.today.isoformat(),
        "exclude_after": pool.exclude_after,
        "studies": [_study_summary(record, study_id) for study_id in pool.study_ids],
        "holders": [
            {
                "participant": mask(standing.worker_id),
                "value": standing.count,
                "studies": [m.study_id for m in standing.memberships if m.counts],
                "since": _when(standing.since) or None,
                "until": _until(standing),
            }
            for standing in pool.holders
        ],
        f"uncaptured_{record.platform.words.units_key}": [
            hit.hit_id for hit in record.uncaptured if set(hit.study_ids) & set(pool.study_ids)
        ],
    }


def _study_summary(record: Record, study_id: str) -> dict[str, Any]:
    study = record.studies[study_id]
    units = record.platform.words.units_key
    return {
        "study": study.study_id,
        "title": study.title,
        "status": study.status,
        "exclude_until": _when(study.exclude_until) or None,
        "excludes_today": study.excluding,
        "participants": len(study.participants),
        units: list(study.hit_ids),
        f"uncaptured_{units}": list(study.uncaptured_hits),
    }


def holders_csv(record: Record, pool: PoolRecord, mask: Mask) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["participant", "value", "studies", "since", "until"])
    for holder in holders_json(record, pool, mask)["holders"]:
        writer.writerow(
            [
                holder["participant"],
                holder["value"],
                " ".join(holder["studies"]),
                holder["since"] or "",
                holder["until"],
            ]
        )
    return buffer.getvalue()


def holders_text(record: Record, pool: PoolRecord, mask: Mask) -> str:
    data = holders_json(record, pool, mask)
    lines = [
        f"pool {pool.key} on target '{record.target}', as of {record.today}: {len(data['holders'])} holder(s) "
        f"(excluded after {pool.exclude_after} of its studies)",
        "",
        "studies:",
    ]
    for study in data["studies"]:
        state = "excludes" if study["excludes_today"] else "does not exclude"
        lines.append(
            f"  {study['study']:<28} {study['participants']:>5} participant(s)  {study['status']}, {state}"
        )
    lines.append("")
    rows = [("participant", "value", "since", "until", "studies")]
    rows += [
        (h["participant"], str(h["value"]), h["since"] or "not recorded", h["until"], ", ".join(h["studies"]))
        for h in data["holders"]
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4]
        )
    lines.extend(uncaptured_lines(record))
    return "\n".join(lines) + "\n"


# --- export ----------------------------------------------------------------------------------


def export_rows(record: Record, mask: Mask) -> list[dict[str, str]]:
    rows = []
    for pool in record.pools.values():
        for _, standing in sorted(pool.standings.items()):
            for membership in standing.memberships:
                study = record.studies[membership.study_id]
                rows.append(
                    {
                        "pool": pool.key,
                        "platform": record.platform.key,
                        "target": record.target,
                        "participant": mask(standing.worker_id),
                        "study": study.study_id,
                        "study_status": study.status,
                        "study_exclude_until": _when(study.exclude_until),
                        "study_excludes_today": str(membership.counts).lower(),
                        "via": _via(membership.via),
                        "took_part_since": _when(membership.since),
                        "pool_count": str(standing.count),
                        "excluded": str(standing.excluded).lower(),
                        "excluded_since": _when(standing.since),
                        "excluded_until": _until(standing),
                    }
                )
    return rows


def export_csv(record: Record, mask: Mask) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMN_NAMES), lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(record, mask))
    return buffer.getvalue()


def export_json(record: Record, mask: Mask, *, masked: bool) -> str:
    kind = record.platform
    words = kind.words
    document = {
        "format_version": EXPORT_FORMAT_VERSION,
        "target": record.target,
        "platform": kind.key,
        "as_of": record.today.isoformat(),
        "participant_ids": "masked" if masked else "whole",
        "columns": export_columns(kind),
        "pools": [
            {
                "pool": pool.key,
                "name": pool.name,
                "exclude_after": pool.exclude_after,
                "excluded": len(pool.holders),
                "studies": [_study_summary(record, study_id) for study_id in pool.study_ids],
            }
            for pool in record.pools.values()
        ],
        words.units_key: [
            {
                _one(words.units_key): hit.hit_id,
                "studies": list(hit.study_ids),
                "capture": hit.state.value,
                "created": _when(hit.created) or None,
                **({"disposal": _when(hit.disposal) or None} if kind.disposal_age is not None else {}),
                words.holders: len(hit.workers) if hit.state is not CaptureState.MISSING else None,
            }
            for _, hit in sorted(record.hits.items())
        ],
        "rows": export_rows(record, mask),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_readme(record: Record, *, masked: bool) -> str:
    ids = "masked (a few characters around an ellipsis)" if masked else "WHOLE: handle as personal data"
    kind = record.platform
    lines = [
        f"Exclusion record of target '{record.target}' ({kind.name}), as of {record.today}.",
        "Written by `exclusions export` from the lab's study files and captures.",
        f"Participant IDs are {ids}.",
        "",
        "record.csv: one row per participant, pool and study. Columns:",
        *(f"  {name}: {meaning}" for name, meaning in export_columns(kind).items()),
        "",
        f"record.json: the same rows under 'rows', with a summary of each pool, study and {kind.words.unit}.",
    ]
    lines.extend(uncaptured_lines(record))
    return "\n".join(lines) + "\n"
