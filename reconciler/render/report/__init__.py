"""The static HTML report: one page per pool and per study, with charts, from a ``Record``.

Jinja2 fills the templates shipped with the package; pygal draws the charts as inline SVG with its
tooltip script left out, so every page opens from disk with no server and no network. Returns
the pages as text; the caller writes them. Worker IDs go through the caller's masker.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import jinja2
import pygal
from pygal.style import Style

from reconciler.core.answers import CaptureState, HitRecord, PoolRecord, Record

Mask = Callable[[str], str]
UNDATED = "no date"  # participants listed directly in a study file: the platform recorded no date

_STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#3b6ea8", "#d9822b", "#4f9d69", "#a8473b", "#7a5ca8", "#8c8c3b", "#3ba8a0"),
)


def _chart_config() -> pygal.Config:
    config = pygal.Config()
    config.js = []  # pygal's tooltips load from a CDN: the report must work offline
    config.disable_xml_declaration = True  # inlined in HTML
    config.style = _STYLE
    config.height = 320
    config.width = 760
    config.legend_at_bottom = True
    config.print_values = True
    config.print_zeroes = False
    config.explicit_size = True
    return config


def holders_chart(record: Record) -> str:
    chart = pygal.HorizontalBar(_chart_config(), title="Holders per pool", show_legend=False)
    chart.x_labels = list(record.pools)
    chart.add("holders", [len(pool.holders) for pool in record.pools.values()])
    return str(chart.render(is_unicode=True))


def participants_over_time_chart(record: Record, pool: PoolRecord) -> str:
    """New participants of each study of the pool, by the month their HIT was created."""
    months: dict[str, Counter[str]] = {}
    for study_id in pool.study_ids:
        per_month: Counter[str] = Counter()
        for standing in pool.standings.values():
            for membership in standing.memberships:
                if membership.study_id == study_id:
                    per_month[f"{membership.since:%Y-%m}" if membership.since else UNDATED] += 1
        months[study_id] = per_month
    labels = sorted({label for counts in months.values() for label in counts} - {UNDATED})
    if any(UNDATED in counts for counts in months.values()):
        labels.append(UNDATED)
    unit = record.platform.words.unit
    chart = pygal.StackedBar(_chart_config(), title=f"Participants per study, by month of their {unit}")
    chart.x_labels = labels
    for study_id, counts in months.items():
        chart.add(study_id, [counts.get(label) or None for label in labels])
    return str(chart.render(is_unicode=True))


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    in_month: bool
    hits: tuple[HitRecord, ...]


@dataclass(frozen=True, slots=True)
class CalendarMonth:
    title: str
    weeks: list[list[CalendarDay]]


def disposal_months(record: Record) -> list[CalendarMonth]:
    """A month grid for each month in which a HIT will be disposed of."""
    by_day: dict[date, list[HitRecord]] = {}
    for hit in record.disposal_calendar():
        if hit.disposal is not None:
            by_day.setdefault(hit.disposal.date(), []).append(hit)
    months = sorted({(day.year, day.month) for day in by_day})
    grid = calendar.Calendar(firstweekday=calendar.MONDAY)
    return [
        CalendarMonth(
            f"{calendar.month_name[month]} {year}",
            [
                [CalendarDay(day, day.month == month, tuple(by_day.get(day, ()))) for day in week]
                for week in grid.monthdatescalendar(year, month)
            ],
        )
        for year, month in months
    ]


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reconciler.render.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    return environment


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    return f"{moment:%Y-%m-%d}"


def render_report(record: Record, mask: Mask, *, masked: bool) -> dict[str, str]:
    """Every page of the report, by file name."""
    environment = _environment()
    common = {
        "record": record,
        "mask": mask,
        "masked": masked,
        "states": CaptureState,
        "uncaptured": record.uncaptured,
        "words": record.platform.words,
    }
    pages = {
        "index.html": environment.get_template("index.html").render(
            **common,
            page="index",
            holders_svg=holders_chart(record),
            months=disposal_months(record),
            calendar_hits=record.disposal_calendar(),
        )
    }
    pool_template = environment.get_template("pool.html")
    for pool in record.pools.values():
        study_ids = pool.study_ids
        overlap = pool.overlap()
        largest = max(overlap.values(), default=0) or 1
        pages[f"pool-{pool.key}.html"] = pool_template.render(
            **common,
            page="pool",
            pool=pool,
            study_ids=study_ids,
            overlap=overlap,
            largest=largest,
            over_time_svg=participants_over_time_chart(record, pool),
        )
    study_template = environment.get_template("study.html")
    for study in record.studies.values():
        pages[f"study-{study.study_id}.html"] = study_template.render(
            **common,
            page="study",
            study=study,
            hits=[record.hits[hit_id] for hit_id in study.hit_ids],
            participants=sorted(mask(worker) for worker in study.participants),
        )
    return pages
