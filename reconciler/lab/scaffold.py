"""The files of a new lab repository (``exclusions init``), from the templates the package carries.

Everything a lab's repository needs to run without any copy of the tool's source: its config with
its own pool texts, the JSON Schemas of the installed version (so editors' ``$schema`` lines
resolve inside the repository), the workflows that install the pinned tool through its composite
action, pre-commit's config, and a short README.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from reconciler.lab.schemas import schema_file

# Where the tool's source, its composite action and its pre-commit hook are published.
DEFAULT_TOOL_REPOSITORY = "ORG/study-exclusions"
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")

# The schemas a lab's files point at: its config, studies, captures, and a local target's seed if
# it adds one. The plan schema describes saved plans, which are not kept in the repository.
LAB_SCHEMAS = ("config.schema.json", "study.schema.json", "capture.schema.json", "local-seed.schema.json")


@dataclass(frozen=True, slots=True)
class LabAnswers:
    """What a lab tells ``exclusions init``."""

    lab_name: str
    pool_key: str
    pool_name: str
    pool_description: str
    tool_repository: str
    tool_ref: str
    tool_version: str


def default_pool_name(lab_name: str) -> str:
    return f"{lab_name}: took part in an earlier study"


def default_pool_description(lab_name: str) -> str:
    return (
        f"You took part in an earlier study of {lab_name}. Thank you! This qualification keeps you "
        "from being invited to studies you have already seen."
    )


def _template(*parts: str) -> Traversable:
    return files("reconciler").joinpath("lab", "templates", *parts)


def _yaml_text(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def config_text(answers: LabAnswers) -> str:
    return f"""# yaml-language-server: $schema=../schemas/config.schema.json
# {answers.lab_name}'s settings: where to reconcile (targets) and which exclusion pools exist.
version: 1

# `exclusions plan` and `apply` use this target unless --target says otherwise.
default_target: local

targets:
  # The embedded local MTurk: no account, no network, to try changes out.
  local:
    kind: local
  # The MTurk sandbox. Locally, credentials come from the AWS profile named here.
  sandbox:
    kind: mturk
    endpoint: sandbox
    profile: lab-sandbox
  # The real MTurk. On GitHub, credentials come from the workflows' role (no profile).
  production:
    kind: mturk
    endpoint: production
    rate_limit: 10

pools:
  # Workers see the name and description of each pool's qualification on MTurk.
  {answers.pool_key}:
    name: {_yaml_text(answers.pool_name)}
    description: {_yaml_text(answers.pool_description)}
    # Holders no study here ever listed (granted by hand, say a known bad actor) are kept and
    # shown as held outside the repository; `outside_holders: revoke` would revoke them instead.
"""


def tool_action(answers: LabAnswers) -> str:
    """The ``uses:`` value of the workflows: a full SHA carries its version as a comment."""
    pinned = f"{answers.tool_repository}@{answers.tool_ref}"
    return f"{pinned} # v{answers.tool_version}" if FULL_SHA.match(answers.tool_ref) else pinned


def lab_files(answers: LabAnswers) -> dict[str, str]:
    """Every file of the new repository, by its path relative to the repository's root."""
    substitutions = {
        "@@TOOL_ACTION@@": tool_action(answers),
        "@@TOOL_DOCS@@": f"https://github.com/{answers.tool_repository}/blob/main/docs/github-setup.md",
        "@@TOOL_REPOSITORY@@": answers.tool_repository,
        "@@TOOL_REF@@": answers.tool_ref,
        "@@TOOL_VERSION@@": answers.tool_version,
        "@@LAB_NAME@@": answers.lab_name,
        "@@POOL_KEY@@": answers.pool_key,
    }

    def render(*parts: str) -> str:
        text = _template(*parts).read_text(encoding="utf-8")
        for placeholder, value in substitutions.items():
            text = text.replace(placeholder, value)
        return text

    written = {
        "exclusions/config.yaml": config_text(answers),
        "exclusions/studies/README.md": render("studies-README.md"),
        "exclusions/locks/README.md": render("locks-README.md"),
        ".gitignore": render("gitignore"),
        ".pre-commit-config.yaml": render("pre-commit-config.yaml"),
        "README.md": render("README.md"),
    }
    for workflow in ("plan.yml", "apply.yml", "capture.yml"):
        written[f".github/workflows/{workflow}"] = render("workflows", workflow)
    for name in LAB_SCHEMAS:
        written[f"schemas/{name}"] = schema_file(name).read_text(encoding="utf-8")
    return written
