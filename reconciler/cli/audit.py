"""``exclusions audit``: find active studies (open HITs) that would let a pool's holders in."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import print_problems, repo_option, repository_root, stderr, stdout
from reconciler.cli.options import target_option
from reconciler.ops.audit import audit_target
from reconciler.ops.session import utc_now
from reconciler.render.audit import findings_table, ok_line


@click.command("audit")
@repo_option
@target_option
def audit_command(repo: Path, target: str | None) -> int:
    """List the active studies that lack a pool's blocklist filter (open HITs, a requirement).

    Reads every study of the workspace on the target (every HIT of the
    requester, on MTurk; read-only) and checks those participants can still
    take. By default each must block at least one pool's participant group;
    when config.yaml sets audit.required_pools, each must block every one of
    those. On MTurk only a DoesNotExist requirement on the pool's
    qualification type keeps its workers out. A pool whose group does not
    exist on the target yet protects no study.

    \b
    Exit status: 0 every active study is covered, 1 a study lacks the filter or
    the studies could not be read (never "all good" from a failed listing).

    \b
    Example:
      exclusions audit
      exclusions audit --target prolific
    """
    run = audit_target(repository_root(repo), target, utc_now())
    print_problems(run.problems, to_stderr=True)
    words = run.kind.words
    for pool in run.audit.pools_without_type:
        stderr.print(
            f"warning: pool '{pool}' has no {words.group} on target '{run.target}' yet, so no "
            f"{words.unit} can carry its {words.exclusion}: run exclusions apply",
            style="yellow",
        )
    refusal = run.refusal()
    if refusal is None:
        stdout.print(ok_line(run.audit, run.target, run.kind))
        return 0
    stdout.print(findings_table(run.audit, run.kind))
    raise refusal
