"""A retired target (MTurk after its closure): validate checks its files, plan and apply skip it."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import assert_no_traceback, clean_env, exclusions

CAPTURE = """\
# yaml-language-server: $schema=../../../schemas/capture.schema.json
format_version: 1
target: production
hit_id: 3EXAMPLEHITARCHIVED000000001
read_at: '2026-09-01T12:00:00Z'
complete: true
workers:
  - AEXAMPLEWORKER0001
"""


def _archive(lab: Path, text: str) -> Path:
    folder = lab / "exclusions" / "locks" / "production"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "3EXAMPLEHITARCHIVED000000001.yaml"
    path.write_text(text)
    return path


def test_plan_and_apply_skip_a_retired_target_with_one_line(example_lab: Path) -> None:
    _archive(example_lab, CAPTURE)
    for command in (("plan", "--detailed-exitcode"), ("apply", "--auto-approve")):
        run = exclusions(*command, "--target", "production", cwd=example_lab, env=clean_env())
        assert run.status == 0, run.output
        assert run.stdout.strip().splitlines() == [
            "Skipped target 'production': it is retired (its files stay the lab's archive; nothing is sent)."
        ]


def test_other_commands_refuse_a_retired_target(example_lab: Path) -> None:
    run = exclusions("lock", "--target", "production", cwd=example_lab, env=clean_env())
    assert run.status == 1
    assert "is retired" in run.output
    assert_no_traceback(run)


def test_validate_still_checks_a_retired_targets_captures(example_lab: Path) -> None:
    _archive(example_lab, CAPTURE)
    assert exclusions("validate", cwd=example_lab).status == 0
    _archive(example_lab, CAPTURE.replace("AEXAMPLEWORKER0001", "not-a-worker"))
    run = exclusions("validate", cwd=example_lab)
    assert run.status == 1, run.output
    assert "exclusions/locks/production/3EXAMPLEHITARCHIVED000000001.yaml:8:" in run.stdout
