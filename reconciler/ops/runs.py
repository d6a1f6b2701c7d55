"""``plan`` and ``apply``, whole: each run from reading the repository to the record it leaves.

The command line hands in only what needs a person (showing the plan, asking for "yes", a
progress bar) as callbacks; everything else, the safety gate included, happens here. An apply
goes through ``core.safety.check_plan`` (the only way to make the ``CheckedPlan`` that
``Session.apply`` takes), so no caller can apply a plan the checks refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reconciler.core.outcome import ApplyReport
from reconciler.core.plan import Plan
from reconciler.core.problems import Problem
from reconciler.core.safety import SafetyRefused, check_plan
from reconciler.ops.applying import Progress
from reconciler.ops.failures import OperationFailed
from reconciler.ops.plan_files import check_still_current, read_plan_file
from reconciler.ops.session import load_run, open_session, refuse_example_pools, utc_now

ShowPlan = Callable[[Plan], None]
Confirm = Callable[[Plan], None]  # raises to cancel
ProgressBar = Callable[[int], AbstractContextManager[Progress | None]]


@dataclass(frozen=True)
class PlanRun:
    plan: Plan
    titles: dict[str, str]  # study ID -> its title, for the pull-request comment
    problems: list[Problem]  # warnings about the lab's files


def make_plan(root: Path, target_name: str | None, now: datetime | None = None) -> PlanRun:
    """The plan for the target (``TargetRetired`` when it is retired: plan skips it)."""
    inputs = load_run(root, target_name)
    with open_session(inputs) as session:
        planned = session.plan(now)
    return PlanRun(planned.plan, inputs.titles(), inputs.warnings)


@dataclass
class ApplyRun:
    plan: Plan
    report: ApplyReport | None  # None: there was nothing to change
    saved: bool  # the plan came from a file (plan --out)
    problems: list[Problem] = field(default_factory=list)
    recorded: list[Path] = field(default_factory=list)  # records of listed holders written


@contextmanager
def _no_progress(_total: int) -> Iterator[Progress | None]:
    yield None


def apply_changes(
    root: Path,
    target_name: str | None,
    *,
    plan_file: Path | None = None,
    allow_revoke: int | None = None,
    show_plan: ShowPlan | None = None,
    confirm: Confirm | None = None,
    progress: ProgressBar = _no_progress,
    problems: Callable[[list[Problem]], None] | None = None,
) -> ApplyRun:
    """Plan (or take the saved plan in ``plan_file``, refused once stale), check it, confirm it,
    and carry it out; then record who the studies list among each pool's holders. A plan with
    nothing to change still brings that record up to date."""
    saved = read_plan_file(plan_file) if plan_file else None
    if saved is not None and target_name is not None and target_name != saved.target:
        raise OperationFailed(f"the plan was made for target '{saved.target}', not '{target_name}'")
    inputs = load_run(root, saved.target if saved else target_name)
    if problems is not None:
        problems(inputs.warnings)
    refuse_example_pools(inputs)
    with open_session(inputs) as session:
        if saved is not None:
            holders = check_still_current(session, saved, utc_now())
            plan = saved
        else:
            planned = session.plan()
            plan, holders = planned.plan, planned.holders_read
            if show_plan is not None:
                show_plan(plan)
        if not plan.has_changes:
            recorded = session.record_listed(plan, holders)
            return ApplyRun(plan, None, saved is not None, inputs.warnings, recorded)
        try:
            checked = check_plan(plan, dict(inputs.repository.config.pools), allow_revoke)
        except SafetyRefused as refused:
            raise OperationFailed(
                str(refused), details=[f"refused: {check}: {message}" for check, message in refused.refusals]
            ) from None
        if saved is None and confirm is not None:
            confirm(plan)
        total = plan.count("grants") + plan.count("updates") + plan.count("revokes")
        with progress(total) as advance:
            report = session.apply(checked, holders, advance)
    return ApplyRun(plan, report, saved is not None, inputs.warnings, report.recorded)
