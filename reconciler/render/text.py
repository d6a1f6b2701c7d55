"""The plan as a terminal diff, Terraform's way: counts first, then each change with its cause."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.text import Text

from reconciler.core.plan import Plan, PoolPlan, WorkerChange
from reconciler.core.platform_kind import PlatformKind
from reconciler.render.mask import make_masker

SHOWN_PER_KIND = 20


def render_text(plan: Plan, console: Console, *, verbose: bool = False, show_worker_ids: bool = True) -> None:
    """The plan in its platform's words (``plan.platform``)."""
    kind = plan.platform
    words = kind.words
    mask = make_masker(plan.holder_ids(), show=show_worker_ids)
    console.print(Text.assemble(("Target: ", "bold"), plan.target, f" ({kind.name})"))
    if plan.refusals:
        console.print(Text("apply will refuse this plan unless:", style="bold red"))
        for check, message in plan.refusals:
            console.print(Text.assemble(("  refused: ", "bold red"), f"{check}: {message}"))
    for warning in plan.warnings:
        console.print(Text.assemble(("warning: ", "bold yellow"), warning))
    for pool in plan.pools:
        console.print()
        _render_pool(pool, console, mask, verbose, kind)
    console.print()
    grants, revokes, updates = plan.count("grants"), plan.count("revokes"), plan.count("updates")
    types = sum(pool.type_change is not None for pool in plan.pools)
    if not plan.has_changes:
        console.print(
            f"No changes. {words.live_holders.capitalize()} match the repository.", style="bold green"
        )
        return
    summary = Text("Plan: ", style="bold")
    summary.append(f"{grants} to {words.grant}", style="green")
    summary.append(", ")
    summary.append(f"{revokes} to {words.revoke}", style="bold red" if revokes else "")
    if kind.holds_values:
        summary.append(f", {updates} to update value")
    if types:
        summary.append(f", {types} {words.group} change{'s' * (types != 1)}")
    summary.append(".")
    if plan.refusals:
        summary.append(
            f" apply will refuse it ({len(plan.refusals)} safety check(s), shown above).", style="bold red"
        )
    console.print(summary)


def _render_pool(
    pool: PoolPlan, console: Console, mask: Callable[[str], str], verbose: bool, kind: PlatformKind
) -> None:
    words = kind.words
    header = Text.assemble(("Pool ", "bold"), (pool.pool, "bold cyan"))
    shown_name = pool.live_name or pool.settings.name  # a type is shown under its live name
    header.append(f'  {kind.name} {words.group} {pool.type_id or "(new)"} "{shown_name}"', style="dim")
    console.print(header)
    if pool.live_name is not None and pool.live_name != pool.settings.name:
        console.print(
            Text(f'  ! config.yaml names it "{pool.settings.name}": {kind.rename_note}', style="bold red")
        )
    counts = f"  {pool.holders_before} holders now, {pool.holders_after} after: "
    counts += f"{len(pool.grants)} to {words.grant}, {len(pool.revokes)} to {words.revoke}"
    if kind.holds_values:
        counts += f", {len(pool.updates)} to update value"
    console.print(counts)
    change = pool.type_change
    if change is not None and change.action == "create":
        console.print(Text(f'  + create {words.group} "{pool.settings.name}"', style="green"))
    elif change is not None:
        console.print(Text(f"  ~ update {words.group} in place:", style="yellow"))
        for name, (old, new) in change.attributes.items():
            console.print(Text(f"      {name}: {old!r} -> {new!r}", style="yellow"))

    def held(value: int | None, cause: str = "") -> str:
        said = f"value {value}" if kind.holds_values else ""
        return f"{said}: {cause}" if said and cause else (said or cause)

    _render_changes(console, "+", "green", pool.grants, mask, verbose, lambda c: held(c.new_value))
    _render_changes(
        console, "~", "yellow", pool.updates, mask, verbose, lambda c: f"value {c.old_value} -> {c.new_value}"
    )
    _render_changes(
        console, "-", "bold red", pool.revokes, mask, verbose, lambda c: held(c.old_value, c.cause)
    )
    if pool.kept:
        console.print(
            Text(
                f"  {len(pool.kept)} held outside the repository, kept (outside_holders: keep; no change):",
                style="dim",
            )
        )
        _render_changes(console, "=", "dim", pool.kept, mask, verbose, lambda c: held(c.old_value, c.cause))


def _render_changes(
    console: Console,
    sign: str,
    style: str,
    changes: Sequence[WorkerChange],
    mask: Callable[[str], str],
    verbose: bool,
    describe: Callable[[WorkerChange], str],
) -> None:
    shown = changes if verbose else changes[:SHOWN_PER_KIND]
    for change in shown:
        line = Text(f"  {sign} {mask(change.worker_id)}  ", style=style)
        line.append(describe(change))
        if change.studies:
            line.append(f"  ({', '.join(change.studies)})", style="dim")
        console.print(line)
    hidden = len(changes) - len(shown)
    if hidden:
        console.print(Text(f"  {sign} ... and {hidden} more (--verbose shows every change)", style=style))
