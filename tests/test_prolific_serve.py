"""``exclusions local serve-prolific`` as a subprocess, and a lab planning against it over HTTP."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e import dump_yaml, load_yaml
from tests.helpers import EXAMPLE, clean_env, copy_example, exclusions

SERVE = [sys.executable, "-m", "reconciler", "local", "serve-prolific"]


def test_serve_prolific_serves_a_lab_and_keeps_its_state(tmp_path: Path) -> None:
    state = tmp_path / "prolific.json"
    seed = EXAMPLE / "local-prolific-seed.yaml"
    process = subprocess.Popen(
        [*SERVE, "--state", str(state), "--seed", str(seed), "--page-size", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        if not ready:
            pytest.fail("exclusions local serve-prolific printed nothing within 30 s")
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        unauthenticated = httpx.get(f"{url}/api/v1/studies/")
        assert unauthenticated.status_code == 401
        root = copy_example(tmp_path / "lab")
        config_path = root / "exclusions" / "config.yaml"
        config = load_yaml(config_path)
        config["targets"]["served"] = {
            "kind": "prolific",
            "workspace_id": "000000000000000000000001",
            "endpoint_url": url,
        }
        dump_yaml(config, config_path)
        config_path.write_text(
            "# yaml-language-server: $schema=../schemas/config.schema.json\n" + config_path.read_text()
        )
        env = clean_env(PROLIFIC_TOKEN="fake-token-for-tests")
        applied = exclusions("apply", "--target", "served", "--auto-approve", cwd=root, env=env)
        assert applied.status == 0, applied.output
        assert "6 added" in applied.stdout
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0
        counters_line = next(
            line for line in stderr.splitlines() if line.startswith("local Prolific counters: ")
        )
        counters = json.loads(counters_line.removeprefix("local Prolific counters: "))
        assert counters["POST members"] == 1
        kept = json.loads(state.read_text())
        assert sum(len(members) for members in kept["members"].values()) == 6
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
