"""Running inside GitHub Actions: the job summary and a link to the current workflow run.

Everything here reads only the environment GitHub gives a step; outside Actions it does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def in_actions(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get("GITHUB_ACTIONS") == "true"


def step_summary_path(env: Mapping[str, str] | None = None) -> Path | None:
    """Where this step's job summary goes, or None outside Actions."""
    env = os.environ if env is None else env
    path = env.get("GITHUB_STEP_SUMMARY")
    if not in_actions(env) or not path:
        return None
    return Path(path)


def append_step_summary(markdown: str, env: Mapping[str, str] | None = None) -> bool:
    """Append ``markdown`` to the job summary; False when there is none (not in Actions)."""
    path = step_summary_path(env)
    if path is None:
        return False
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True


def run_url(env: Mapping[str, str] | None = None) -> str | None:
    """The web page of the current workflow run (where its artifacts are), or None outside Actions."""
    env = os.environ if env is None else env
    server, repository, run_id = (
        env.get("GITHUB_SERVER_URL"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    if not in_actions(env) or not (server and repository and run_id):
        return None
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
