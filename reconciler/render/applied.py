"""What an apply did, in the words of its platform: the summary a person reads after ``apply``."""

from __future__ import annotations

from reconciler.core.outcome import ApplyReport
from reconciler.core.plan import Plan
from reconciler.render.mask import make_masker, mask_in_text

# (text, style, on stderr): the caller prints each line where it says.
Line = tuple[str, str, bool]


def summary_lines(report: ApplyReport, plan: Plan, show_worker_ids: bool) -> list[Line]:
    """The groups created, the counts, and each failure with what to do; a failure goes to stderr."""
    kind = plan.platform
    words = kind.words
    lines: list[Line] = [
        (f"Created the {words.group} of pool '{pool}': {type_id}", "", False)
        for pool, type_id in report.created_types.items()
    ]
    done = f"{report.count('grant')} {words.granted}"
    if kind.holds_values:
        done += f", {report.count('update')} values updated"
    done += f", {report.count('revoke')} {words.revoked}"
    failed = report.failed
    skipped = sum(count for _, count in report.skipped)
    if not failed and not skipped:
        return [*lines, (f"Apply complete: {done}.", "bold green", False)]
    failed_ids = {outcome.worker_id for outcome in failed if outcome.worker_id}
    mask = make_masker(failed_ids, show=show_worker_ids)
    lines.append(
        (f"Apply incomplete: {done}; {len(failed)} failed, {skipped} not attempted.", "bold red", True)
    )
    verbs = {
        "grant": words.grant,
        "revoke": words.revoke,
        "update": "update",
        "create type": "create",
        "update type": "update",
    }
    for outcome in failed:
        who = f" {mask(outcome.worker_id)}" if outcome.worker_id else f" {words.group}"
        # The platform's message may name the holder: masked there too, unless whole IDs were asked for.
        error = outcome.error if show_worker_ids else mask_in_text(outcome.error or "", mask, failed_ids)
        lines.append((f"  failed: {verbs[outcome.kind]}{who} in pool '{outcome.pool}': {error}", "red", True))
    for pool, count in report.skipped:
        lines.append(
            (f"  not attempted: {count} changes of pool '{pool}' (its {words.group} failed)", "red", True)
        )
    lines.append(
        (
            "Run `exclusions apply` again: it plans from the live state and repeats nothing that succeeded.",
            "",
            True,
        )
    )
    return lines
