"""The plan as a pull-request comment (GitHub-flavoured Markdown).

Counts per pool first, then the revocations (which stand out), then every other change grouped
by the study behind it, in collapsible sections. Worker IDs are masked unless asked otherwise.
Everything that comes from the lab's files (study IDs and titles, pool names, qualification type
names and descriptions, warnings) is escaped, so no title can break a table, open an HTML tag or
mention someone. The comment carries a hidden marker naming the target, so a workflow can find
and update its own comment, and stays under GitHub's limit on the length of a comment: past the
limit it lists fewer changes and says where the full plan is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.plan import Plan, PoolPlan, WorkerChange
from reconciler.core.platform_kind import PlatformKind
from reconciler.render.github import run_url
from reconciler.render.mask import make_masker

COMMENT_LIMIT = 65_536  # GitHub refuses longer comments (characters)
TAIL_ROOM = 4_096  # characters kept for the closing notes
MARKER_PREFIX = "<!-- study-exclusions-plan target="
OPEN_UP_TO = 10  # sections with this many rows or fewer are shown open
SHOWN_WARNINGS = 30
TEXT_LIMIT = 200  # characters kept of any one piece of text from the lab's files

# Characters that mean something to Markdown, HTML or GitHub, written as numeric entities. An
# entity reads the same in Markdown and inside HTML (<summary>), never splits a table cell and
# never opens code, emphasis, a link, an image, a tag or maths.
_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>\"'`|*_[]\\~$"}
_WHITESPACE = re.compile(r"\s+")
# What would start a list, a heading or a quote at the beginning of a line or a list item.
_BLOCK_START = re.compile(r"^(?:[-+=#>]|\d+(?=[.)]))")
_NOT_MARKER_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def marker(target: str) -> str:
    """The hidden line a workflow looks for to update the comment of ``target`` in place."""
    return f"{MARKER_PREFIX}{_NOT_MARKER_SAFE.sub('_', target)} -->"


def escape(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` from a user's file, safe anywhere in the comment: a table cell, a heading, HTML.

    Line breaks become spaces, long text is shortened, Markdown and HTML characters become
    entities, and ``@`` gets a zero-width space after it so no one is mentioned (or notified).
    """
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    escaped = "".join(_ENTITIES.get(char, char) for char in flat)
    escaped = _BLOCK_START.sub(lambda start: "".join(f"&#{ord(char)};" for char in start[0]), escaped)
    return escaped.replace("@", "@&#8203;")


def full_plan_pointer(target: str) -> str:
    url = run_url()
    if url is not None:
        return f"The full plan, every change, is kept as the `plan` artifact of [this workflow run]({url})."
    command = f"exclusions plan --target {escape(target)} --format json"
    return f"Run <code>{command}</code> to see the full plan, every change."


@dataclass
class _Section:
    intro: list[str]  # lines before the section: a heading, a note
    summary: str  # HTML-safe text of its <summary>
    header: list[str]  # the table's header
    rows: list[str] = field(default_factory=list)


def render_markdown(
    plan: Plan,
    *,
    titles: Mapping[str, str] | None = None,
    show_worker_ids: bool = False,
    full_plan: str | None = None,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment, at most ``limit`` characters long, in the words of the plan's platform.
    ``titles`` maps study IDs to their titles."""
    mask = make_masker(plan.holder_ids(), show=show_worker_ids)
    pointer = full_plan if full_plan is not None else full_plan_pointer(plan.target)
    head = _head(plan)
    head[1] += f" ({plan.platform.name})"  # the title: every change below is made on this platform
    sections = [
        *_revocation_sections(plan, mask),
        *_study_sections(plan, mask, titles or {}),
        *_kept_sections(plan, mask),
    ]
    body, omitted = _fit(head, sections, budget=max(0, limit - TAIL_ROOM))
    tail = _tail(plan, omitted, pointer, masked=not show_worker_ids)
    document = "\n".join([*body, *tail]) + "\n"
    if len(document) > limit:  # only with absurd pools or warnings: counts alone, then the pointer
        document = "\n".join([*_title(plan), "", _summary_line(plan), "", pointer]) + "\n"
    return document[:limit]


# --- the parts ---------------------------------------------------------------------------------


def _title(plan: Plan) -> list[str]:
    return [marker(plan.target), f"## study-exclusions plan for target <code>{escape(plan.target)}</code>"]


def _summary_line(plan: Plan) -> str:
    words = plan.platform.words
    if not plan.has_changes:
        return (
            f"**No changes.** {words.live_holders.capitalize()} match the repository; apply would do nothing."
        )
    grants, revokes, updates = plan.count("grants"), plan.count("revokes"), plan.count("updates")
    types = sum(pool.type_change is not None for pool in plan.pools)
    revoke = f"🔴 **{revokes} to {words.revoke}**" if revokes else f"0 to {words.revoke}"
    line = f"**Plan:** {grants} to {words.grant}, {revoke}"
    if plan.platform.holds_values:
        line += f", {updates} to update value"
    if types:
        line += f", {types} {words.group} change{'s' * (types != 1)}"
    return line + "."


def _head(plan: Plan) -> list[str]:
    lines = [*_title(plan), "", *_refusals(plan), _summary_line(plan), ""]
    if plan.warnings:
        count = len(plan.warnings)
        lines += ["> [!WARNING]", f"> **{count} warning{'s' * (count != 1)}**", ">"]
        lines += [f"> - {escape(warning, 600)}" for warning in plan.warnings[:SHOWN_WARNINGS]]
        if count > SHOWN_WARNINGS:
            lines.append(f"> - … and {count - SHOWN_WARNINGS} more (see the full plan)")
        lines.append("")
    kind = plan.platform
    words = kind.words
    update = " Update |" if kind.holds_values else ""
    lines += [
        f"| Pool | {words.group.capitalize()} | Holders now | Holders after | {words.grant.capitalize()} |"
        f"{update} {words.revoke.capitalize()} | Change |",
        "| --- | --- | ---: | ---: | ---: |" + (" ---: |" if kind.holds_values else "") + " ---: | --- |",
    ]
    for pool in plan.pools:
        revokes = f"🔴 **{len(pool.revokes)}**" if pool.revokes else "0"
        change = pool.type_change.action if pool.type_change else "—"
        updates = f" {len(pool.updates)} |" if kind.holds_values else ""
        lines.append(
            f"| {escape(pool.pool)} | {_type_name(pool)} | {pool.holders_before} | "
            f"{pool.holders_after} | {len(pool.grants)} |{updates} {revokes} | {change} |"
        )
    lines.append("")
    changed_types = [pool for pool in plan.pools if pool.type_change is not None]
    if changed_types:
        lines += [f"### {words.groups.capitalize()}", ""]
        for pool in changed_types:
            lines += _type_change(pool, kind)
        lines.append("")
    return lines


def _type_name(pool: PoolPlan) -> str:
    """The type under its live name; a differing name in config.yaml is flagged beside it."""
    if pool.live_name is None or pool.live_name == pool.settings.name:
        return escape(pool.settings.name)
    return f"{escape(pool.live_name)} ⚠️ config.yaml: {escape(pool.settings.name)}"


def _refusals(plan: Plan) -> list[str]:
    """What apply will refuse, above everything else: a green-looking plan must not hide it."""
    if not plan.refusals:
        return []
    lines = ["> [!CAUTION]", "> **`exclusions apply` will refuse this plan** unless:", ">"]
    lines += [f"> - {escape(check)}: {escape(message, 800)}" for check, message in plan.refusals]
    return [*lines, ""]


def _type_change(pool: PoolPlan, kind: PlatformKind) -> list[str]:
    change = pool.type_change
    group = kind.words.group
    assert change is not None
    if change.action == "create":
        return [
            f"- ➕ pool **{escape(pool.pool)}**: create {group} “{escape(pool.settings.name)}”: "
            f"{escape(pool.settings.description, 400)}"
        ]
    type_id = escape(pool.type_id or "")
    lines = [f"- ✏️ pool **{escape(pool.pool)}**: update {group} <code>{type_id}</code> in place:"]
    for name, (old, new) in change.attributes.items():
        lines.append(f"  - {escape(name)}: {_value(old)} → {_value(new)}")
    return lines


def _value(value: Any) -> str:
    return "(none)" if value is None else escape(json.dumps(value, ensure_ascii=False), 400)


def _revocation_sections(plan: Plan, mask: Callable[[str], str]) -> list[_Section]:
    sections: list[_Section] = []
    kind = plan.platform
    words = kind.words
    total = plan.count("revokes")
    holder = words.holder.capitalize()
    for pool in (pool for pool in plan.pools if pool.revokes):
        intro: list[str] = []
        if not sections:
            taken = (
                f"**revokes {total} qualification{'s' * (total != 1)}**"
                if kind.holds_values
                else f"**{words.revoke}s {words.count(total, words.holder, words.holders)}** from their {words.group}"
            )
            intro = [
                f"### 🔴 {words.revoke.capitalize()}s" if not kind.holds_values else "### 🔴 Revocations",
                "",
                "> [!CAUTION]",
                f"> This plan {taken}: those {words.holders} will no "
                "longer be kept out of the pool's studies. Check the cause of each below.",
                "",
            ]
        value = " Value now |" if kind.holds_values else ""
        section = _Section(
            intro,
            f"🔴 pool <b>{escape(pool.pool)}</b>: {len(pool.revokes)} to {words.revoke}",
            [
                f"| Change | {holder} |{value} Cause |",
                "| --- | --- |" + (" ---: |" if value else "") + " --- |",
            ],
        )
        for change in pool.revokes:
            held = f" {change.old_value} |" if value else ""
            section.rows.append(
                f"| 🔴 **{words.revoke}** | {_worker(change, mask)} |{held} {escape(change.cause, 400)} |"
            )
        sections.append(section)
    return sections


def _kept_sections(plan: Plan, mask: Callable[[str], str]) -> list[_Section]:
    """Holders no study lists, kept: not a change, but a reviewer should know they are there."""
    sections: list[_Section] = []
    values = plan.platform.holds_values
    holder = plan.platform.words.holder.capitalize()
    for pool in (pool for pool in plan.pools if pool.kept):
        intro = ["### Held outside the repository (kept)", ""] if not sections else []
        section = _Section(
            intro,
            f"pool <b>{escape(pool.pool)}</b>: {len(pool.kept)} kept",
            [
                f"| {holder} |" + (" Value |" if values else "") + " Why kept |",
                "| --- |" + (" ---: |" if values else "") + " --- |",
            ],
        )
        for change in pool.kept:
            held = f" {change.old_value} |" if values else ""
            section.rows.append(f"| {_worker(change, mask)} |{held} {escape(change.cause, 400)} |")
        sections.append(section)
    return sections


def _study_sections(plan: Plan, mask: Callable[[str], str], titles: Mapping[str, str]) -> list[_Section]:
    kind = plan.platform
    words = kind.words
    groups: dict[str, list[tuple[PoolPlan, WorkerChange]]] = {}
    shared = False
    for pool in plan.pools:
        for change in (*pool.grants, *pool.updates):
            shared = shared or len(change.studies) > 1
            for study in change.studies or ("",):
                groups.setdefault(study, []).append((pool, change))
    sections: list[_Section] = []
    for study in sorted(groups):
        rows = groups[study]
        grants = sum(change.old_value is None for _, change in rows)
        updates = len(rows) - grants
        counts = ", ".join(
            part
            for part in (f"{grants} to {words.grant}" * bool(grants), f"{updates} to update" * bool(updates))
            if part
        )
        title = titles.get(study)
        name = f"study <b>{escape(study)}</b>" if study else "no study named"
        name += f" — {escape(title, 120)}" if title else ""
        intro: list[str] = []
        if not sections:
            intro = ["### Changes by study", ""]
            if shared:
                intro += [f"A {words.holder} in several studies of a pool is listed under each of them.", ""]
        value_column = " Value |" if kind.holds_values else ""
        section = _Section(
            intro,
            f"{name}: {counts}",
            [
                f"| Change | {words.holder.capitalize()} | Pool |{value_column}",
                "| --- | --- | --- |" + (" --- |" if kind.holds_values else ""),
            ],
        )
        for pool, change in rows:
            if change.old_value is None:
                what, value = f"➕ {words.grant}", str(change.new_value)
            else:
                what, value = "✏️ update", f"{change.old_value} → {change.new_value}"
            cell = f" {value} |" if kind.holds_values else ""
            section.rows.append(f"| {what} | {_worker(change, mask)} | {escape(pool.pool)} |{cell}")
        sections.append(section)
    return sections


def _worker(change: WorkerChange, mask: Callable[[str], str]) -> str:
    return f"<code>{escape(mask(change.worker_id))}</code>"


def _fit(head: list[str], sections: list[_Section], *, budget: int) -> tuple[list[str], int]:
    """The head and the sections, with as many rows each as fit in ``budget`` characters.

    Every section gets the same number of rows at most (the largest number that fits), so one
    long study does not crowd out the others; with too many sections even for that, the last
    ones are left out whole. Also returns how many rows were left out.
    """

    def size(lines: list[str]) -> int:
        return sum(len(line) + 1 for line in lines)

    most = max((len(section.rows) for section in sections), default=0)
    built = _build(head, sections, most)
    if size(built[0]) <= budget:
        return built
    low, high = 0, most  # the largest cap that fits is in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if size(_build(head, sections, middle)[0]) <= budget:
            low = middle
        else:
            high = middle
    kept = len(sections)
    if size(_build(head, sections, low)[0]) > budget:  # drop the last sections whole
        fewer, more = 0, len(sections)  # the largest count that fits is in [fewer, more)
        while more - fewer > 1:
            middle = (fewer + more) // 2
            if size(_build(head, sections[:middle], low)[0]) <= budget:
                fewer = middle
            else:
                more = middle
        kept = fewer
    lines, omitted = _build(head, sections[:kept], low)
    return lines, omitted + sum(len(section.rows) for section in sections[kept:])


def _build(head: list[str], sections: list[_Section], cap: int) -> tuple[list[str], int]:
    lines = list(head)
    omitted = 0
    for section in sections:
        rows = section.rows[:cap]
        left_out = len(section.rows) - len(rows)
        omitted += left_out
        details = "<details open>" if len(section.rows) <= OPEN_UP_TO else "<details>"
        shown = f"first {len(rows)} shown" if rows else "not listed here"
        summary = section.summary + (f" ({shown})" if left_out else "")
        lines += [*section.intro, details, f"<summary>{summary}</summary>", ""]
        if rows:
            lines += [*section.header, *rows]
        if left_out:
            lines += ["", f"… and {left_out} more, left out to keep this comment under GitHub's limit."]
        lines += ["", "</details>", ""]
    return lines, omitted


def _tail(plan: Plan, omitted: int, pointer: str, *, masked: bool) -> list[str]:
    lines = ["---", ""]
    if omitted:
        lines += [
            f"**{omitted} change{'s' * (omitted != 1)} not listed here**: a comment holds at most "
            f"{COMMENT_LIMIT:,} characters. {pointer}",
            "",
        ]
    elif plan.has_changes:
        lines += [pointer, ""]
    if masked and plan.has_changes:
        lines += [
            f"<sub>{plan.platform.words.holder.capitalize()} IDs are masked: they are personal data. "
            "`exclusions plan --format markdown --show-ids` shows them whole.</sub>",
            "",
        ]
    lines.append(f"<sub>Planned at {plan.created_at:%Y-%m-%d %H:%M:%S} UTC.</sub>")
    return lines
