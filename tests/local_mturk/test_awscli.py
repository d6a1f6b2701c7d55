"""The AWS CLI (v1) talks to the local MTurk like to AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reconciler.emulators.mturk import LocalMTurk
from tests.local_mturk.support import create_type, make_client


def _aws(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIDCLI",
        "AWS_SECRET_ACCESS_KEY": "fake-secret",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    return subprocess.run(
        [sys.executable, "-m", "awscli", "mturk", *args, "--endpoint-url", url, "--region", "us-east-1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_aws_cli_lists_qualification_types_and_paginates_workers(local: LocalMTurk, tmp_path: Path) -> None:
    client = make_client(local.endpoint_url)
    type_id = create_type(client, "Prior participant")
    for index in range(25):
        client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=f"A{index:02d}X")
    listed = _aws(local.endpoint_url, tmp_path, "list-qualification-types", "--must-be-requestable")
    assert listed.returncode == 0, listed.stderr
    assert [qt["Name"] for qt in json.loads(listed.stdout)["QualificationTypes"]] == ["Prior participant"]
    local.reset_counters()
    workers = _aws(
        local.endpoint_url,
        tmp_path,
        "list-workers-with-qualification-type",
        "--qualification-type-id",
        type_id,
        "--page-size",
        "10",
    )
    assert workers.returncode == 0, workers.stderr
    assert len(json.loads(workers.stdout)["Qualifications"]) == 25
    assert local.counters()["ListWorkersWithQualificationType"]["served"] == 3


def test_aws_cli_reports_a_request_error(local: LocalMTurk, tmp_path: Path) -> None:
    result = _aws(local.endpoint_url, tmp_path, "get-hit", "--hit-id", "3NOSUCHHIT")
    assert result.returncode != 0
    assert "RequestError" in result.stderr
    assert "does not exist" in result.stderr
