"""A lab's own repository, end to end through the command line: ``init``, ``show``, ``validate``'s
file arguments and JSON, the guard on the shipped example's texts, and apply without a terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reconciler.lab.schemas import schema_file
from tests.e2e import Lab, load_yaml
from tests.helpers import PROJECT, assert_no_traceback, clean_env, copy_example, exclusions

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def init(tmp_path: Path, *args: str) -> Path:
    run = exclusions("init", "mylab", "--lab", "Decision Lab", *args, cwd=tmp_path)
    assert run.status == 0, run.output
    return tmp_path / "mylab"


def test_init_writes_a_lab_repository_that_validates_plans_and_applies(tmp_path: Path) -> None:
    lab = init(tmp_path, "--pool", "games", "--pool-name", "Decision Lab: played our games")
    files = sorted(str(path.relative_to(lab)) for path in lab.rglob("*") if path.is_file())
    assert files == [
        ".github/workflows/apply.yml",
        ".github/workflows/capture.yml",
        ".github/workflows/plan.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "README.md",
        "exclusions/config.yaml",
        "exclusions/locks/README.md",
        "exclusions/studies/README.md",
        "schemas/capture.schema.json",
        "schemas/config.schema.json",
        "schemas/local-seed.schema.json",
        "schemas/study.schema.json",
    ]
    config = load_yaml(lab / "exclusions" / "config.yaml")
    assert set(config["targets"]) == {"local", "sandbox", "production"}
    assert config["default_target"] == "local"
    assert config["pools"] == {
        "games": {
            "name": "Decision Lab: played our games",
            "description": "You took part in an earlier study of Decision Lab. Thank you! This qualification "
            "keeps you from being invited to studies you have already seen.",
        }
    }
    assert "Example Lab" not in (lab / "exclusions" / "config.yaml").read_text()
    # The example study is there to copy, commented out: it is not a study yet.
    assert "# study: my-first-study" in (lab / "exclusions" / "studies" / "README.md").read_text()
    assert "# pools: [games]" in (lab / "exclusions" / "studies" / "README.md").read_text()
    assert ".exclusions-local/" in (lab / ".gitignore").read_text()
    pre_commit = load_yaml(lab / ".pre-commit-config.yaml")
    assert pre_commit["repos"][0]["rev"] == "v0.1.0"
    assert pre_commit["repos"][0]["hooks"] == [{"id": "exclusions-validate"}]

    assert exclusions("validate", cwd=lab).status == 0
    planned = exclusions("plan", "--detailed-exitcode", cwd=lab)
    assert planned.status == 2, planned.output
    applied = exclusions("apply", "--auto-approve", cwd=lab)
    assert applied.status == 0, applied.output
    assert exclusions("plan", "--detailed-exitcode", cwd=lab).status == 0


def test_every_schema_line_of_a_new_lab_resolves_inside_it_to_the_installed_version(tmp_path: Path) -> None:
    lab = init(tmp_path)
    example = (lab / "exclusions" / "studies" / "README.md").read_text()
    lines = [
        (
            lab / "exclusions" / "config.yaml",
            SCHEMA_LINE.search((lab / "exclusions" / "config.yaml").read_text()),
        ),
        (lab / "exclusions" / "studies" / "x.yaml", re.search(r"\$schema=(\S+)", example)),
    ]
    for where, match in lines:
        assert match is not None, where
        target = (where.parent / match[1]).resolve()
        assert target.is_file(), f"{where}: {match[1]} does not resolve"
        assert target.read_text() == schema_file(target.name).read_text()
    # A study written from the example validates, and so do the captures plan writes.
    study = "\n".join(
        line.removeprefix("# ") for line in example.split("```yaml\n")[1].split("```")[0].splitlines()
    )
    (lab / "exclusions" / "studies" / "my-first-study.yaml").write_text(
        study.replace("[deception]", "[deception]")
    )
    checked = exclusions("validate", cwd=lab)
    assert checked.status == 0, checked.output
    assert "valid: 1 study" in checked.stdout


def test_init_never_overwrites_and_writes_nothing_when_it_refuses(tmp_path: Path) -> None:
    lab = tmp_path / "mylab"
    lab.mkdir()
    (lab / "README.md").write_text("our notes\n")
    run = exclusions("init", "mylab", "--lab", "Decision Lab", cwd=tmp_path)
    assert run.status == 1
    assert_no_traceback(run)
    assert "already has README.md" in run.stderr and "never overwrites" in run.stderr
    assert sorted(path.name for path in lab.iterdir()) == ["README.md"]
    assert (lab / "README.md").read_text() == "our notes\n"


def test_init_without_a_terminal_needs_the_lab_name_and_refuses_bad_answers(tmp_path: Path) -> None:
    run = exclusions("init", "mylab", cwd=tmp_path, stdin="")
    assert run.status == 1 and "--lab NAME" in run.stderr
    bad = exclusions("init", "mylab", "--lab", "Decision Lab", "--pool-name", "Lab\u202e: past", cwd=tmp_path)
    assert bad.status == 1
    assert_no_traceback(bad)
    assert "control character" in bad.stderr and "nothing was written" in bad.stderr
    key = exclusions("init", "mylab", "--lab", "Decision Lab", "--pool", "Deception Pool", cwd=tmp_path)
    assert key.status == 1 and "pool key" in key.stderr
    assert not (tmp_path / "mylab").exists()


def test_init_pins_the_workflows_to_a_full_sha_with_its_version(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    lab = init(tmp_path, "--tool-repo", "decision-lab/study-exclusions", "--tool-ref", sha)
    for name in ("plan.yml", "apply.yml", "capture.yml"):
        text = (lab / ".github" / "workflows" / name).read_text()
        assert f"uses: decision-lab/study-exclusions@{sha} # v0.1.0" in text, name
        assert "pip install" not in text, name


# --- the shipped example's texts on real MTurk -------------------------------------------------------


def test_applying_the_example_pools_to_sandbox_or_production_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    # The example marks production retired (MTurk closed); a lab that still had it would not.
    config = root / "exclusions" / "config.yaml"
    config.write_text(config.read_text().replace("    retired: true\n", ""))
    for target in ("sandbox", "production"):
        run = exclusions("apply", "--target", target, "--auto-approve", cwd=root)
        assert run.status == 1, run.output
        assert_no_traceback(run)
        assert "pool 'deception': its name and description still say 'Example Lab'" in run.stderr
        assert f"workers on target '{target}' would see it" in run.stderr
        assert "nothing was changed" in run.stderr


# --- show ------------------------------------------------------------------------------------------


def test_show_prints_a_saved_plan_as_text_markdown_or_json(lab: Lab) -> None:
    saved = lab.root / "p.plan.json"
    assert lab.run("plan", "--out", str(saved)).status == 0
    text = lab.run("show", str(saved))
    assert text.status == 0, text.output
    assert "Plan: 8 to grant, 0 to revoke" in text.stdout
    assert "AEXAMPLEWORKER0001" not in text.stdout  # not a terminal: masked
    markdown = lab.run("show", str(saved), "--format", "markdown")
    assert markdown.status == 0 and "**Plan:** 8 to grant" in markdown.stdout
    assert "AEXAMPLEWORKER0001" not in markdown.stdout
    as_json = lab.run("show", str(saved), "--format", "json")
    assert json.loads(as_json.stdout) == json.loads(saved.read_text())
    # Showing changes nothing: the plan still applies.
    assert lab.run("apply", str(saved)).status == 0


def test_show_refuses_a_file_that_is_not_a_plan(tmp_path: Path) -> None:
    (tmp_path / "p.plan.json").write_text('{"format_version": 1}')
    run = exclusions("show", "p.plan.json", cwd=tmp_path)
    assert run.status == 1
    assert_no_traceback(run)
    assert "p.plan.json: not a valid plan" in run.stderr


# --- validate --------------------------------------------------------------------------------------


def test_validate_takes_the_repository_files_and_repo_and_reports_as_json(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "lab")
    study = root / "exclusions" / "studies" / "trust-game-2026.yaml"
    study.write_text(study.read_text().replace("status: active", "status: activ"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_file = exclusions("validate", str(study), cwd=elsewhere)
    assert by_file.status == 1
    assert "trust-game-2026.yaml:" in by_file.stdout and '"activ" is not allowed' in by_file.stdout
    by_repo = exclusions("validate", "--repo", str(root), cwd=elsewhere)
    assert by_repo.status == 1 and '"activ" is not allowed' in by_repo.stdout
    as_json = exclusions("validate", "--format", "json", cwd=root)
    assert as_json.status == 1
    report = json.loads(as_json.stdout)
    assert report["valid"] is False and report["repositories"][0]["errors"] == 1
    (problem,) = report["problems"]
    assert problem["path"] == "exclusions/studies/trust-game-2026.yaml"
    assert problem["severity"] == "error" and problem["line"] > 0 and problem["column"] > 0
    assert "is not allowed" in problem["message"] and problem["hint"]
    study.write_text(study.read_text().replace("status: activ", "status: active"))
    fine = exclusions("validate", "--format", "json", str(study), cwd=root)
    assert fine.status == 0 and json.loads(fine.stdout)["valid"] is True


# --- apply with nobody to ask ----------------------------------------------------------------------


def test_apply_without_a_terminal_says_that_auto_approve_exists(lab: Lab) -> None:
    run = lab.run("apply", stdin="")
    assert run.status == 1
    assert "apply cancelled; nothing was changed" in run.stderr
    assert "--auto-approve" in run.stderr
    assert lab.calls("CreateQualificationType") == lab.calls("AssociateQualificationWithWorker") == 0


# --- conventions: version, completion -----------------------------------------------------------------


def test_version_and_shell_completion_as_the_readme_documents(tmp_path: Path) -> None:
    version = exclusions("--version", cwd=tmp_path)
    assert version.status == 0 and version.stdout.strip() == "exclusions, version 0.1.0"
    source = exclusions(cwd=tmp_path, env=clean_env(_EXCLUSIONS_COMPLETE="bash_source"))
    assert source.status == 0 and "_exclusions_completion()" in source.stdout
    completed = exclusions(
        cwd=tmp_path,
        env=clean_env(_EXCLUSIONS_COMPLETE="bash_complete", COMP_WORDS="exclusions sh", COMP_CWORD="1"),
    )
    assert completed.status == 0 and completed.stdout.split() == ["plain,show"]
    assert 'eval "$(_EXCLUSIONS_COMPLETE=bash_source exclusions)"' in (PROJECT / "README.md").read_text()
