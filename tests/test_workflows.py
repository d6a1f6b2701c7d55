"""The GitHub workflows: their shape (permissions, pins, forks), and their steps run for real.

The steps that run the tool are executed here as GitHub would run them: their ``run:`` script with
``bash --noprofile --norc -eo pipefail``, in a copy of the example lab, with the environment GitHub
gives a step (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_WORKSPACE, RUNNER_TEMP,
the workflow's ``env:`` with its ``${{ }}`` values worked out, ``vars.EXCLUSIONS_TARGET`` naming the
local MTurk target), against the local MTurk. The comment script runs under node with a stand-in
for GitHub's API, and the issue step with a stand-in ``gh``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.e2e import TARGET, Lab, emulator, iso
from tests.helpers import EXAMPLE, PROJECT, clean_env, exclusions
from tests.test_plan_apply import EXAMPLE_DECEPTION

WORKFLOWS = PROJECT / ".github" / "workflows"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NODE = shutil.which("node")


def load(name: str) -> dict[str, Any]:
    document = YAML(typ="safe").load(WORKFLOWS / name)
    assert isinstance(document, dict)
    return document


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def step(workflow: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    (found,) = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    return found  # type: ignore[no-any-return]


def uses(workflow: dict[str, Any], job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in workflow["jobs"][job]["steps"] if str(s.get("uses", "")).startswith(action + "@")]


# --- their shape -----------------------------------------------------------------------------------


def test_the_expected_workflows_exist() -> None:
    assert set(all_workflows()) == {"ci.yml", "plan.yml", "apply.yml", "capture.yml"}
    assert "bash .ci/run" in step(load("ci.yml"), "checks", "lint, type-check and test")["run"]


def test_no_workflow_uses_pull_request_target() -> None:
    for name, workflow in all_workflows().items():
        assert "pull_request_target" not in workflow["on"], name
        assert "pull_request_target" not in (WORKFLOWS / name).read_text(), name


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    pins: dict[str, str] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:- )?uses: (.*)$", line)
            if match:
                assert SHA_PIN.match(match[1]), f"{path.name}: {line.strip()}"
                action, _, pin = match[1].partition("@")
                assert pins.setdefault(action, pin) == pin, f"{action} pinned two ways"
    assert set(pins) == {
        "actions/checkout",
        "actions/setup-python",
        "aws-actions/configure-aws-credentials",
        "actions/github-script",
        "actions/upload-artifact",
    }


def test_least_privilege_permissions_and_a_timeout_on_every_job() -> None:
    for name, workflow in all_workflows().items():
        assert workflow["permissions"] == {}, name
        for job_name, job in workflow["jobs"].items():
            assert isinstance(job.get("timeout-minutes"), int), (name, job_name)
            assert "permissions" in job, (name, job_name)
            assert "write-all" not in str(job["permissions"])
    writes = {
        (name, job_name, scope)
        for name, workflow in all_workflows().items()
        for job_name, job in workflow["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    }
    assert writes == {
        ("plan.yml", "plan", "id-token"),
        ("plan.yml", "plan", "pull-requests"),
        ("apply.yml", "apply", "id-token"),
        ("apply.yml", "apply", "contents"),
        ("capture.yml", "capture", "id-token"),
        ("capture.yml", "capture", "contents"),
        ("capture.yml", "report", "issues"),
    }


def test_checkouts_keep_no_credentials_except_in_the_jobs_that_push() -> None:
    for name, workflow in all_workflows().items():
        for job_name, job in workflow["jobs"].items():
            for checkout in uses(workflow, job_name, "actions/checkout"):
                pushes = job["permissions"].get("contents") == "write"
                assert checkout["with"]["persist-credentials"] is pushes, (name, job_name)
                if checkout["with"].get("path") == ".exclusions-tool":  # the tool, from the base branch
                    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
                else:
                    assert "ref" not in checkout.get("with", {}), (name, job_name)  # never another ref
    for name in ("apply.yml", "capture.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "pushes the capture files back to main, so it keeps the job's token" in text


def test_the_tool_is_never_installed_editable_nor_from_the_pull_request() -> None:
    for name, workflow in all_workflows().items():
        for job_name, job in workflow["jobs"].items():
            installs = [each["run"] for each in job["steps"] if "pip install" in each.get("run", "")]
            for install in installs:
                assert " -e " not in f" {install} " and "--editable" not in install, (name, job_name)
            if "pull_request" in workflow["on"] and installs:
                # The pull request's checkout is data: the tool comes from the base branch.
                assert installs == ["python -m pip install ./.exclusions-tool"], (name, job_name)


def test_no_expression_is_pasted_into_a_script() -> None:
    for name, workflow in all_workflows().items():
        for job_name, job in workflow["jobs"].items():
            for each in job["steps"]:
                assert "${{" not in each.get("run", ""), (name, job_name, each.get("name"))
                assert "${{" not in each.get("with", {}).get("script", ""), (name, job_name)


def test_fork_pull_requests_never_get_credentials() -> None:
    plan = load("plan.yml")
    assert set(plan["on"]) == {"pull_request"}
    guard = "github.event.pull_request.head.repo.full_name == github.repository"
    for job_name, job in plan["jobs"].items():
        credentials = uses(plan, job_name, "aws-actions/configure-aws-credentials")
        if job["permissions"].get("id-token") == "write" or credentials:
            assert job["if"] == guard, job_name
            assert job["needs"] == "validate"
    validate = plan["jobs"]["validate"]
    assert validate["permissions"] == {"contents": "read"}
    assert "if" not in validate
    assert not uses(plan, "validate", "aws-actions/configure-aws-credentials")
    assert "vars." not in json.dumps(validate) and "secrets." not in json.dumps(validate)


def test_jobs_with_an_oidc_token_never_run_pull_request_code_with_write_access() -> None:
    for name, workflow in all_workflows().items():
        for job_name, job in workflow["jobs"].items():
            if job["permissions"].get("id-token") != "write":
                continue
            if "pull_request" in workflow["on"]:
                assert job["permissions"].get("contents") == "read", (name, job_name)
                for checkout in uses(workflow, job_name, "actions/checkout"):
                    assert checkout["with"]["persist-credentials"] is False
            else:  # runs only what is on main already
                assert set(workflow["on"]) <= {"push", "schedule", "workflow_dispatch"}, name
                if "push" in workflow["on"]:
                    assert workflow["on"]["push"]["branches"] == ["main"]


def test_each_job_assumes_the_right_role_in_the_right_place() -> None:
    roles = {
        ("plan.yml", "plan"): "${{ vars.MTURK_PLAN_ROLE_ARN }}",
        ("apply.yml", "apply"): "${{ vars.MTURK_APPLY_ROLE_ARN }}",
        ("capture.yml", "capture"): "${{ vars.MTURK_APPLY_ROLE_ARN }}",
    }
    for (name, job_name), role in roles.items():
        (credentials,) = uses(load(name), job_name, "aws-actions/configure-aws-credentials")
        assert credentials["with"]["role-to-assume"] == role
        assert credentials["with"]["aws-region"] == "us-east-1"
        assert "aws-access-key-id" not in credentials["with"]  # OIDC, no stored keys
    for name, job_name in (("apply.yml", "apply"), ("capture.yml", "capture")):
        job = load(name)["jobs"][job_name]
        assert job["environment"] == "mturk-production"
        assert job["concurrency"] == {"group": "exclusions-apply", "cancel-in-progress": False}
    for name in all_workflows():
        assert not re.search(r"\$\{\{[^}]*secrets\.", (WORKFLOWS / name).read_text()), name  # none needed


def test_the_triggers() -> None:
    assert load("apply.yml")["on"]["push"] == {"branches": ["main"]}
    capture = load("capture.yml")["on"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", capture["schedule"][0]["cron"])  # daily
    assert "workflow_dispatch" in capture
    lock = step(load("capture.yml"), "capture", "lock")["run"]
    assert '--target "$EXCLUSIONS_TARGET" --fail-within 7' in lock


def test_commit_steps_run_even_after_a_failed_apply_or_lock() -> None:
    for name, job_name in (("apply.yml", "apply"), ("capture.yml", "capture")):
        for each in load(name)["jobs"][job_name]["steps"]:
            if "git push" in each.get("run", ""):
                assert each["if"] == "${{ always() && steps.checkout.outcome == 'success' }}"
                assert "git pull --rebase" in each["run"]


# --- running the steps -----------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


class Runner:
    """Runs workflow steps in a workspace as GitHub's runner would, one job at a time."""

    def __init__(self, workspace: Path, temp: Path, **variables: str) -> None:
        self.workspace = workspace
        self.temp = temp
        self.temp.mkdir(parents=True, exist_ok=True)
        self.summary = temp / "step-summary.md"
        self.summary.touch()
        self.vars = {"EXCLUSIONS_TARGET": TARGET, **variables}
        self.steps: dict[str, dict[str, Any]] = {}
        self.needs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, str] = {}
        self.path_prefix: list[str] = []

    def context(self) -> dict[str, Any]:
        return {
            "vars": self.vars,
            "github": {
                "repository": "example-lab/exclusions",
                "server_url": "https://github.com",
                "run_id": "4242",
                "token": "ghs_fake_token_for_tests",
            },
            "steps": self.steps,
            "needs": self.needs,
            "inputs": self.inputs,
        }

    def evaluate(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: _expression(match[1], self.context()), str(text))

    def env(self, workflow: dict[str, Any], job: str, each: dict[str, Any]) -> dict[str, str]:
        env = clean_env(AWS_MAX_ATTEMPTS="3", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
        env.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_OUTPUT=str(self.temp / "output"),
            GITHUB_ENV=str(self.temp / "env"),
            GITHUB_REPOSITORY="example-lab/exclusions",
            GITHUB_SERVER_URL="https://github.com",
            GITHUB_RUN_ID="4242",
            RUNNER_TEMP=str(self.temp),
            AWS_REGION="us-east-1",  # as configure-aws-credentials sets it
            PATH=os.pathsep.join([*self.path_prefix, str(Path(sys.executable).parent), os.environ["PATH"]]),
        )
        for scope in (workflow.get("env", {}), workflow["jobs"][job].get("env", {}), each.get("env", {})):
            env.update({key: self.evaluate(value) for key, value in scope.items()})
        return env

    def run(self, workflow: dict[str, Any], job: str, name: str) -> Outcome:
        each = step(workflow, job, name)
        output = self.temp / "output"
        output.write_text("")
        script = self.temp / "step.sh"
        script.write_text(each["run"])
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=self.env(workflow, job, each),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        outputs = _outputs(output.read_text())
        if "id" in each:
            self.steps[each["id"]] = {
                "outputs": outputs,
                "outcome": "success" if completed.returncode == 0 else "failure",
            }
        return Outcome(completed.returncode, completed.stdout, completed.stderr, outputs)


def _expression(expression: str, context: dict[str, Any]) -> str:
    """The few expressions the workflows' env values use: names, 'literals', a || b."""
    for operand in (part.strip() for part in expression.split("||")):
        if operand.startswith("'") and operand.endswith("'"):
            value: Any = operand[1:-1]
        else:
            value = context
            for key in operand.split("."):
                value = value.get(key) if isinstance(value, dict) else None
        if value:
            return str(value)
    return ""


def _outputs(text: str) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            value = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            outputs[key] = "\n".join(value)
        elif "=" in line:
            key, value_text = line.split("=", 1)
            outputs[key] = value_text
    return outputs


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    completed = subprocess.run(
        ["git", "-c", "user.name=Lab", "-c", "user.email=lab@example.org", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def make_repository(lab: Lab, tmp_path: Path) -> Path:
    """Turns the lab into a clone of a bare ``origin`` on branch main; returns the origin."""
    origin = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(origin), cwd=tmp_path)
    git("init", "--quiet", "--initial-branch=main", cwd=lab.root)
    git("add", "-A", cwd=lab.root)
    git("commit", "--quiet", "-m", "The lab", cwd=lab.root)
    git("remote", "add", "origin", str(origin), cwd=lab.root)
    git("push", "--quiet", "origin", "main", cwd=lab.root)
    return origin


def origin_files(origin: Path, folder: str) -> list[str]:
    listing = git("--git-dir", str(origin), "ls-tree", "-r", "--name-only", "main", "--", folder, cwd=origin)
    return sorted(Path(line).name for line in listing.splitlines())


@pytest.fixture
def runner(tmp_path: Path, lab: Lab) -> Runner:
    return Runner(lab.root, tmp_path / "runner-temp")


# --- plan.yml --------------------------------------------------------------------------------------


def test_the_validate_job_validates_the_lab(runner: Runner) -> None:
    outcome = runner.run(load("plan.yml"), "validate", "validate")
    assert outcome.status == 0, outcome.stderr


def test_the_plan_job_writes_the_masked_comment_the_json_plan_and_the_job_summary(
    runner: Runner, lab: Lab
) -> None:
    outcome = runner.run(load("plan.yml"), "plan", "plan")
    assert outcome.status == 0, outcome.stderr
    comment = (lab.root / "plan.md").read_text()
    plan = json.loads((lab.root / "plan.json").read_text())
    jsonschema.validate(plan, json.loads((PROJECT / "schemas" / "plan.schema.json").read_text()))
    assert plan["target"] == TARGET and plan["summary"]["grant"] == 8
    assert comment.splitlines()[0] == f"<!-- study-exclusions-plan target={TARGET} -->"
    assert "**Plan:** 8 to grant" in comment
    workers = {g["id"] for pool in plan["pools"] for g in pool["grant"]}
    assert set(EXAMPLE_DECEPTION) <= workers
    for worker_id in workers:
        assert worker_id not in comment
        assert worker_id not in outcome.stdout + outcome.stderr  # nor in the log
    assert "<code>AE…001</code>" in comment
    assert runner.summary.read_text() == comment  # the same summary, in the job summary
    assert "Saved the plan to plan.json" in outcome.stderr


def test_the_plan_check_fails_when_apply_would_refuse_the_plan(runner: Runner, lab: Lab) -> None:
    workflow = load("plan.yml")
    assert runner.run(workflow, "plan", "plan").status == 0
    fine = runner.run(workflow, "plan", "fail the check if apply would refuse the plan")
    assert fine.status == 0, fine.stderr
    assert lab.run("apply", "--auto-approve").status == 0
    lab.write_study("false-feedback-2025", **{**lab.study("false-feedback-2025"), "status": "released"})
    lab.write_study("trust-game-2026", **{**lab.study("trust-game-2026"), "pools": ["economic-games"]})
    assert runner.run(workflow, "plan", "plan").status == 0
    assert "will refuse this plan" in (lab.root / "plan.md").read_text()
    refused = runner.run(workflow, "plan", "fail the check if apply would refuse the plan")
    assert refused.status == 1
    assert "::error::apply will refuse this plan: WouldEmptyPool: pool 'deception'" in refused.stdout


def run_comment_script(runner: Runner, comments: list[dict[str, Any]], outcome: str) -> list[Any]:
    """The github-script step under node, with a stand-in for GitHub's API; returns its calls."""
    assert NODE is not None, "node is needed to run the comment script"
    workflow = load("plan.yml")
    each = step(workflow, "plan", "comment the plan on the pull request")
    runner.steps["plan"] = {"outcome": outcome, "outputs": {}}
    (runner.temp / "script.js").write_text(each["with"]["script"])
    (runner.temp / "comments.json").write_text(json.dumps(comments))
    harness = runner.temp / "harness.cjs"
    harness.write_text(
        """
const fs = require('fs');
const [scriptPath, commentsPath] = process.argv.slice(2);
const calls = [];
const github = {
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (args) => { calls.push(['update', args]); return { data: {} }; },
    createComment: async (args) => { calls.push(['create', args]); return { data: { html_url: 'u' } }; },
  } },
  paginate: async (method, args) => {
    calls.push(['paginate', method, args]);
    return JSON.parse(fs.readFileSync(commentsPath, 'utf8'));
  },
};
const context = { repo: { owner: 'example-lab', repo: 'exclusions' }, payload: { pull_request: { number: 7 } } };
const core = { info: () => {} };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', 'core', 'require', fs.readFileSync(scriptPath, 'utf8'))(
  github, context, core, require,
).then(() => console.log(JSON.stringify(calls)), (error) => { console.error(error); process.exit(1); });
"""
    )
    completed = subprocess.run(
        [NODE, str(harness), str(runner.temp / "script.js"), str(runner.temp / "comments.json")],
        cwd=runner.workspace,
        env=runner.env(workflow, "plan", each),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def test_the_plan_comment_is_created_once_then_updated_in_place(runner: Runner, lab: Lab) -> None:
    assert runner.run(load("plan.yml"), "plan", "plan").status == 0
    comment = (lab.root / "plan.md").read_text()
    calls = run_comment_script(runner, [], "success")
    assert calls[0][1:] == [
        "listComments",
        {"owner": "example-lab", "repo": "exclusions", "issue_number": 7, "per_page": 100},
    ]
    assert calls[1] == [
        "create",
        {"owner": "example-lab", "repo": "exclusions", "issue_number": 7, "body": comment},
    ]
    existing = [
        {"id": 1, "user": {"login": "someone"}, "body": "quoting <!-- study-exclusions-plan target=emu -->"},
        {
            "id": 2,
            "user": {"login": "github-actions[bot]"},
            "body": "<!-- study-exclusions-plan target=other -->",
        },
        {
            "id": 3,
            "user": {"login": "github-actions[bot]"},
            "body": "<!-- study-exclusions-plan target=emu -->\nold",
        },
    ]
    calls = run_comment_script(runner, existing, "success")
    assert calls[1:] == [
        ["update", {"owner": "example-lab", "repo": "exclusions", "comment_id": 3, "body": comment}]
    ]


def test_a_failed_plan_says_so_in_the_same_comment(runner: Runner) -> None:
    calls = run_comment_script(runner, [], "failure")
    (kind, arguments) = calls[1]
    assert kind == "create"
    assert arguments["body"].startswith("<!-- study-exclusions-plan target=emu -->\n")
    assert "The plan failed" in arguments["body"] and "/actions/runs/4242" in arguments["body"]


def test_the_artifact_is_the_json_plan() -> None:
    (upload,) = uses(load("plan.yml"), "plan", "actions/upload-artifact")
    assert upload["with"]["path"] == "plan.json" and upload["with"]["name"] == "plan"
    assert "--out plan.json > plan.md" in step(load("plan.yml"), "plan", "plan")["run"]


# --- apply.yml -------------------------------------------------------------------------------------


def test_apply_converges_and_commits_the_captures_to_main(runner: Runner, lab: Lab, tmp_path: Path) -> None:
    origin = make_repository(lab, tmp_path)
    apply = load("apply.yml")
    planned = runner.run(apply, "apply", "plan")
    assert planned.status == 0, planned.stderr
    assert "AEXAMPLEWORKER0001" not in planned.stdout  # masked in the log
    assert "**Plan:** 8 to grant" in runner.summary.read_text()
    applied = runner.run(apply, "apply", "apply")
    assert applied.status == 0, applied.stderr
    assert "Apply complete: 8 granted" in applied.stdout
    assert lab.holders("deception") == EXAMPLE_DECEPTION
    # Someone pushes to main meanwhile: the commit step rebases on it.
    other = tmp_path / "other"
    git("clone", "--quiet", str(origin), str(other), cwd=tmp_path)
    (other / "NOTES.md").write_text("a note\n")
    git("add", "NOTES.md", cwd=other)
    git("commit", "--quiet", "-m", "A note", cwd=other)
    git("push", "--quiet", "origin", "main", cwd=other)
    committed = runner.run(apply, "apply", "commit the refreshed captures")
    assert committed.status == 0, committed.stderr
    assert "Pushed the refreshed captures." in committed.stdout
    assert origin_files(origin, f"exclusions/locks/{TARGET}") == [
        "3EXAMPLEHITTRUSTGAME0000000001.yaml",
        "3EXAMPLEHITTRUSTGAME0000000002.yaml",
        "3EXAMPLEHITULTIMATUM0000000001.yaml",
        "deception.yaml",  # granted/: who the studies list among each pool's holders
        "economic-games.yaml",
        "pools.yaml",  # the pools' types, committed like the captures
    ]
    log = git("--git-dir", str(origin), "log", "--format=%an|%s", "main", cwd=tmp_path).splitlines()
    assert log[:2] == [f"github-actions[bot]|Refresh the captures of target {TARGET}", "Lab|A note"]
    # Nothing changed: no empty commit.
    again = runner.run(apply, "apply", "commit the refreshed captures")
    assert again.status == 0 and "No capture changed." in again.stdout
    assert len(git("--git-dir", str(origin), "log", "--format=%s", "main", cwd=tmp_path).splitlines()) == 3
    assert exclusions("plan", "--detailed-exitcode", cwd=lab.root, env=clean_env()).status == 0


def test_after_a_partly_failed_apply_the_captures_are_still_committed(tmp_path: Path) -> None:
    with emulator(tmp_path) as server:
        lab = Lab(tmp_path / "lab", server, max_concurrency=1)
        runner = Runner(lab.root, tmp_path / "runner-temp")
        origin = make_repository(lab, tmp_path)
        apply = load("apply.yml")
        assert runner.run(apply, "apply", "plan").status == 0
        server.add_scripted_fault("AssociateQualificationWithWorker", nth=2, count=3)
        failed = runner.run(apply, "apply", "apply")
        assert failed.status == 1
        assert "Apply incomplete: 7 granted" in failed.stderr
        committed = runner.run(apply, "apply", "commit the refreshed captures")
        assert committed.status == 0, committed.stderr
        # The captures, the types created before the failure (pools.yaml) and who was granted
        # (granted/<pool>.yaml, without the workers whose grant failed).
        assert len(origin_files(origin, f"exclusions/locks/{TARGET}")) == 6


def test_allow_revoke_must_be_a_number(runner: Runner) -> None:
    runner.inputs["allow-revoke"] = "3; echo pwned"
    outcome = runner.run(load("apply.yml"), "apply", "apply")
    assert outcome.status == 1
    assert "::error::allow-revoke must be a number" in outcome.stdout
    assert "pwned" not in outcome.stdout + outcome.stderr  # the input was never run


# --- capture.yml -----------------------------------------------------------------------------------


def late_hit(hit_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "hit_id": hit_id,
        "created": iso(now - timedelta(days=115)),  # disposed of in about 5 days
        "lifetime_seconds": 365 * 86400,
        "max_assignments": 2,
        "assignments": [{"worker_id": "ALATEWORKER01", "status": "Approved"}],
    }


def test_capture_locks_commits_and_applies(runner: Runner, lab: Lab, tmp_path: Path) -> None:
    origin = make_repository(lab, tmp_path)
    capture = load("capture.yml")
    locked = runner.run(capture, "capture", "lock")
    assert locked.status == 0, locked.stderr
    assert "failed" not in locked.outputs
    assert runner.run(capture, "capture", "commit the captures").status == 0
    assert len(origin_files(origin, f"exclusions/locks/{TARGET}")) == 3
    assert runner.run(capture, "capture", "plan").status == 0
    applied = runner.run(capture, "capture", "apply")
    assert applied.status == 0, applied.stderr
    assert lab.holders("deception") == EXAMPLE_DECEPTION
    assert runner.run(capture, "capture", "commit the captures refreshed by the plan").status == 0
    reported = runner.run(capture, "capture", "write the report")
    assert reported.status == 0, reported.stderr
    assert (runner.temp / "exclusions-report" / "index.html").is_file()
    assert uses(capture, "capture", "actions/upload-artifact")[0]["with"]["name"] == "exclusions-report"


def fake_gh(runner: Runner, existing: str) -> Path:
    """A ``gh`` that records its arguments (and the issue body) and knows one open issue, or none."""
    folder = runner.temp / "bin"
    folder.mkdir(exist_ok=True)
    log = runner.temp / "gh.log"
    issues = runner.temp / "gh-issues.tsv"
    issues.write_text(existing)
    gh = folder / "gh"
    gh.write_text(
        f"""#!/usr/bin/env bash
printf '%s\\n' "$*" >> {log}
if [[ "$1 $2" == "issue list" ]]; then cat {issues}; fi
for ((i = 1; i <= $#; i++)); do
  if [[ "${{!i}}" == --body-file ]]; then next=$((i + 1)); cat "${{!next}}" >> {log}; fi
done
"""
    )
    gh.chmod(0o755)
    runner.path_prefix = [str(folder)]
    return log


def test_a_hit_close_to_disposal_fails_the_job_and_opens_an_issue(tmp_path: Path) -> None:
    hit_id = "3CAPTURELATE00000000000000001"
    with emulator(tmp_path, {"hits": [late_hit(hit_id)]}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("late", hits=[hit_id])
        runner = Runner(lab.root, tmp_path / "runner-temp")
        origin = make_repository(lab, tmp_path)
        capture = load("capture.yml")
        locked = runner.run(capture, "capture", "lock")
        assert locked.status == 1
        assert hit_id in locked.stderr  # still in the log
        assert locked.outputs["failed"] == "true"
        assert hit_id in locked.outputs["message"] and "within 7 days" in locked.outputs["message"]
        # The captures read are committed all the same.
        assert runner.run(capture, "capture", "commit the captures").status == 0
        assert f"{hit_id}.yaml" in origin_files(origin, f"exclusions/locks/{TARGET}")
        # The report job: its condition reads the capture job's outputs.
        job_outputs = {
            key: runner.evaluate(value) for key, value in capture["jobs"]["capture"]["outputs"].items()
        }
        assert job_outputs["lock-failed"] == "true"
        report = capture["jobs"]["report"]
        assert report["needs"] == "capture"
        assert report["if"] == "${{ always() && needs.capture.outputs.lock-failed == 'true' }}"
        runner.needs["capture"] = {"outputs": job_outputs}
        title = f"Captures: HITs of target {TARGET} are about to be disposed of"

        log = fake_gh(runner, existing="")
        opened = runner.run(capture, "report", "open or update the issue")
        assert opened.status == 0, opened.stderr
        calls = log.read_text()
        assert f"issue create --title {title} --body-file" in calls
        assert hit_id in calls and "https://github.com/example-lab/exclusions/actions/runs/4242" in calls

        log.unlink()
        fake_gh(runner, existing=f"12\t{title}\n")
        updated = runner.run(capture, "report", "open or update the issue")
        assert updated.status == 0, updated.stderr
        calls = log.read_text()
        assert "issue comment 12 --body-file" in calls and "issue create" not in calls
        assert hit_id in calls


def test_the_report_job_has_only_the_permission_to_write_issues() -> None:
    report = load("capture.yml")["jobs"]["report"]
    assert report["permissions"] == {"issues": "write"}
    assert not any("uses" in each for each in report["steps"])  # no checkout, no other code


# --- pre-commit ------------------------------------------------------------------------------------


def test_the_pre_commit_hook_runs_exclusions_validate_on_the_lab_files(tmp_path: Path) -> None:
    hooks = YAML(typ="safe").load(PROJECT / ".pre-commit-hooks.yaml")
    (hook,) = hooks
    assert hook["id"] == "exclusions-validate"
    assert hook["entry"] == "exclusions validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert files.search("exclusions/studies/trust-game-2026.yaml")
    assert files.search("schemas/study.schema.json")
    assert not files.search("reconciler/cli/plan.py")
    assert 'exclusions = "reconciler.cli:main"' in (PROJECT / "pyproject.toml").read_text()
    shutil.copytree(EXAMPLE, tmp_path / "exclusions")
    assert hook["entry"].split() == ["exclusions", "validate"]
    assert exclusions("validate", cwd=tmp_path).status == 0
    # As pre-commit calls it: the changed files as arguments.
    changed = ["exclusions/studies/trust-game-2026.yaml", "exclusions/config.yaml"]
    assert exclusions(*hook["entry"].split()[1:], *changed, cwd=tmp_path).status == 0


# --- the issue body cannot be broken by a hostile file name ------------------------------------------


def test_the_issue_body_fences_a_lock_message_holding_tildes_and_mentions(tmp_path: Path) -> None:
    runner = Runner(tmp_path, tmp_path / "runner-temp")
    hostile = "exclusions/locks/emu/~~~~~~\n# Closed @everyone\n~~~~~~~~~~ [click](https://evil.example)"
    runner.needs["capture"] = {"outputs": {"lock-failed": "true", "lock-message": hostile}}
    log = fake_gh(runner, existing="")
    reported = runner.run(load("capture.yml"), "report", "open or update the issue")
    assert reported.status == 0, reported.stderr
    body = log.read_text().split("--body-file", 1)[1].split("\n", 1)[1]
    lines = body.splitlines()
    opening = next(
        index for index, line in enumerate(lines) if line.endswith("text") and set(line[:-4]) == {"~"}
    )
    fence = lines[opening][:-4]
    assert len(fence) > 10  # longer than any run of tildes in the message
    closing = next(index for index in range(opening + 1, len(lines)) if lines[index].startswith(fence))
    assert lines[opening + 1 : closing] == hostile.splitlines()  # the whole message, inside the fence


# --- a lab's own repository (exclusions init) --------------------------------------------------------

ACTION = PROJECT / "action.yml"


def test_the_action_installs_its_own_pinned_source_not_the_workspace() -> None:
    action = YAML(typ="safe").load(ACTION)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    for line in ACTION.read_text().splitlines():
        match = re.match(r"^\s*(?:- )?uses: (.*)$", line)
        if match:
            assert SHA_PIN.match(match[1]), line
    (install,) = [each for each in steps if "pip install" in each.get("run", "")]
    assert install["env"] == {"TOOL_SOURCE": "${{ github.action_path }}"}
    assert 'python -m pip install --disable-pip-version-check --quiet "$TOOL_SOURCE"' in install["run"]
    assert "${{" not in install["run"] and " -e " not in install["run"]


@pytest.fixture
def scaffolded(tmp_path: Path, server: Any) -> tuple[Lab, dict[str, dict[str, Any]]]:
    """A lab written by ``exclusions init``, whose workflows are read, and whose target is ``server``."""
    made = exclusions("init", "mylab", "--lab", "Decision Lab", "--pool", "deception", cwd=tmp_path)
    assert made.status == 0, made.output
    root = tmp_path / "mylab"
    workflows = {
        path.name: YAML(typ="safe").load(path)
        for path in sorted((root / ".github" / "workflows").glob("*.yml"))
    }
    lab = Lab.__new__(Lab)  # the scaffolded repository as it is, with one target added
    lab.root, lab.server = root, server
    config = lab.config()
    config["targets"][TARGET] = {"kind": "mturk", "endpoint_url": server.endpoint_url}
    lab.write_config(config)
    return lab, workflows


def test_a_new_labs_workflows_install_the_pinned_tool_through_the_action(
    scaffolded: tuple[Lab, dict[str, dict[str, Any]]],
) -> None:
    lab, workflows = scaffolded
    assert set(workflows) == {"plan.yml", "apply.yml", "capture.yml"}
    for name, workflow in workflows.items():
        assert workflow["permissions"] == {}, name
        text = (lab.root / ".github" / "workflows" / name).read_text()
        assert "pip install" not in text and "pull_request_target" not in text, name
        assert "@@" not in text, name  # every placeholder filled
        for job_name, job in workflow["jobs"].items():
            if job_name == "report":
                continue
            tools = uses(workflow, job_name, "ORG/study-exclusions")
            assert [each["uses"] for each in tools] == ["ORG/study-exclusions@v0.1.0"], (name, job_name)
            steps = [each.get("uses", each.get("name")) for each in job["steps"]]
            # The tool is installed before any step runs it.
            assert steps.index("ORG/study-exclusions@v0.1.0") < min(
                index for index, each in enumerate(job["steps"]) if "exclusions " in each.get("run", "")
            )
    plan = workflows["plan.yml"]
    assert plan["jobs"]["plan"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert plan["jobs"]["plan"]["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    for name in ("apply.yml", "capture.yml"):
        job = workflows[name]["jobs"][name.removesuffix(".yml")]
        assert job["environment"] == "mturk-production"


def test_a_new_labs_workflow_steps_plan_and_apply_against_the_local_mturk(
    scaffolded: tuple[Lab, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    lab, workflows = scaffolded
    runner = Runner(lab.root, tmp_path / "runner-temp")
    assert runner.run(workflows["plan.yml"], "validate", "validate").status == 0
    planned = runner.run(workflows["plan.yml"], "plan", "plan")
    assert planned.status == 0, planned.stderr
    assert (lab.root / "plan.md").read_text().splitlines()[
        0
    ] == f"<!-- study-exclusions-plan target={TARGET} -->"
    origin = make_repository(lab, tmp_path)
    apply = workflows["apply.yml"]
    assert runner.run(apply, "apply", "plan").status == 0
    applied = runner.run(apply, "apply", "apply")
    assert applied.status == 0, applied.stderr
    assert "Created the qualification type of pool 'deception'" in applied.stdout
    committed = runner.run(apply, "apply", "commit the refreshed captures")
    # The new type's ID is recorded under locks/ the moment it is created, and committed with it.
    assert committed.status == 0 and "Pushed the refreshed captures." in committed.stdout
    assert "pools.yaml" in origin_files(origin, f"exclusions/locks/{TARGET}")
    assert origin_files(origin, ".github/workflows") == ["apply.yml", "capture.yml", "plan.yml"]


def without_installing(workflow: dict[str, Any]) -> dict[str, Any]:
    """The workflow with the steps that install the tool (which differ on purpose) left out."""
    copy = json.loads(json.dumps(workflow))
    for job in copy["jobs"].values():
        job["steps"] = [
            each
            for each in job["steps"]
            if not str(each.get("name", "")).startswith(("install study-exclusions", "check out the tool"))
            and not str(each.get("uses", "")).startswith("actions/setup-python@")
        ]
    return copy  # type: ignore[no-any-return]


def test_a_new_labs_workflows_are_this_repositorys_but_for_installing_the_tool(
    scaffolded: tuple[Lab, dict[str, dict[str, Any]]],
) -> None:
    _, workflows = scaffolded
    for name, workflow in workflows.items():
        assert without_installing(workflow) == without_installing(load(name)), name
