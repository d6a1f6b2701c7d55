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


def test_aws_cli_extends_expires_and_deletes_a_hit(local: LocalMTurk, tmp_path: Path) -> None:
    balance = _aws(local.endpoint_url, tmp_path, "get-account-balance")
    assert balance.returncode == 0, balance.stderr
    assert json.loads(balance.stdout)["AvailableBalance"] == "10000.00"
    created = _aws(
        local.endpoint_url,
        tmp_path,
        "create-hit",
        "--title",
        "Trust game",
        "--description",
        "A short economic game",
        "--reward",
        "0.50",
        "--lifetime-in-seconds",
        "3600",
        "--assignment-duration-in-seconds",
        "600",
        "--max-assignments",
        "2",
        "--question",
        "<ExternalQuestion/>",
    )
    assert created.returncode == 0, created.stderr
    hit_id = json.loads(created.stdout)["HIT"]["HITId"]
    more = _aws(
        local.endpoint_url,
        tmp_path,
        "create-additional-assignments-for-hit",
        "--hit-id",
        hit_id,
        "--number-of-additional-assignments",
        "3",
    )
    assert more.returncode == 0, more.stderr
    expired = _aws(
        local.endpoint_url,
        tmp_path,
        "update-expiration-for-hit",
        "--hit-id",
        hit_id,
        "--expire-at",
        "2000-01-01T00:00:00Z",
    )
    assert expired.returncode == 0, expired.stderr
    got = json.loads(_aws(local.endpoint_url, tmp_path, "get-hit", "--hit-id", hit_id).stdout)["HIT"]
    assert (got["MaxAssignments"], got["HITStatus"]) == (5, "Reviewable")
    deleted = _aws(local.endpoint_url, tmp_path, "delete-hit", "--hit-id", hit_id)
    assert deleted.returncode == 0, deleted.stderr
    gone = _aws(local.endpoint_url, tmp_path, "get-hit", "--hit-id", hit_id)
    assert gone.returncode != 0 and "does not exist" in gone.stderr
