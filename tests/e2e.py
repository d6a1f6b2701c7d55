"""End-to-end support: a local MTurk over HTTP, and a lab whose default target points at it.

Tests start the emulator in-process (so they can read its counters, move its clock and inject
faults) and run the command line as a separate process that talks to it over HTTP, exactly as a
lab's CI would talk to MTurk.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from ruamel.yaml import YAML

from reconciler.emulators.mturk import LocalMTurk
from tests.helpers import EXAMPLE, Run, clean_env, exclusions

TARGET = "emu"
EXAMPLE_SEED = EXAMPLE / "local-seed.yaml"


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path)


def dump_yaml(data: Any, path: Path) -> None:
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w") as handle:
        yaml.dump(data, handle)


@contextmanager
def emulator(tmp_path: Path, seed: dict[str, Any] | None = None, **options: Any) -> Iterator[LocalMTurk]:
    """A local MTurk seeded with the example's HITs plus ``seed``, serving on a free port."""
    seed_path = tmp_path / "seed.yaml"
    document = load_yaml(EXAMPLE_SEED)
    for key, entries in (seed or {}).items():
        document.setdefault(key, []).extend(entries)
    dump_yaml(document, seed_path)
    with LocalMTurk(seed_path=seed_path, **options) as server:
        yield server


class LabFiles:
    """The files of a lab copied for a test: its config, its studies and one target's locks."""

    def __init__(self, root: Path, target: str) -> None:
        self.root = root
        self.target = target

    @property
    def studies(self) -> Path:
        return self.root / "exclusions" / "studies"

    @property
    def locks(self) -> Path:
        return self.root / "exclusions" / "locks" / self.target

    def config(self) -> Any:
        return load_yaml(self.root / "exclusions" / "config.yaml")

    def write_config(self, config: Any) -> None:
        path = self.root / "exclusions" / "config.yaml"
        dump_yaml(config, path)
        path.write_text("# yaml-language-server: $schema=../schemas/config.schema.json\n" + path.read_text())

    def study(self, study_id: str) -> Any:
        return load_yaml(self.studies / f"{study_id}.yaml")

    def write_study(self, study_id: str, **fields: Any) -> Path:
        path = self.studies / f"{study_id}.yaml"
        header = "# yaml-language-server: $schema=../../schemas/study.schema.json\n"
        data = {
            "study": study_id,
            "title": f"Study {study_id}",
            "pools": ["deception"],
            "status": "active",
            **fields,
        }
        dump_yaml(data, path)
        path.write_text(header + path.read_text())
        return path


class Lab(LabFiles):
    """A copy of the example lab whose default target is the given local MTurk."""

    def __init__(self, root: Path, server: LocalMTurk, **target_options: Any) -> None:
        super().__init__(root, TARGET)
        self.server = server
        shutil.copytree(EXAMPLE, root / "exclusions", ignore=shutil.ignore_patterns("locks"))
        (root / "exclusions" / "locks").mkdir()
        config = self.config()
        config["default_target"] = TARGET
        config["targets"][TARGET] = {"kind": "mturk", "endpoint_url": server.endpoint_url, **target_options}
        self.write_config(config)

    def run(self, *args: str, stdin: str | None = None, **env: str) -> Run:
        return exclusions(
            *args, cwd=self.root, env=clean_env(**{"AWS_MAX_ATTEMPTS": "3", **env}), stdin=stdin
        )

    def client(self) -> Any:
        """A boto3 client of the same requester, for looking behind the tool's back."""
        return boto3.client(
            "mturk",
            endpoint_url=self.server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
            aws_secret_access_key="fake/secret/for/tests/only",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    def type_id(self, pool: str) -> str:
        name = self.config()["pools"][pool]["name"]
        answer = self.client().list_qualification_types(
            Query=name, MustBeRequestable=False, MustBeOwnedByCaller=True, MaxResults=100
        )
        (found,) = [qt for qt in answer["QualificationTypes"] if qt["Name"] == name]
        return str(found["QualificationTypeId"])

    def holders(self, pool: str) -> dict[str, int]:
        client = self.client()
        holders: dict[str, int] = {}
        arguments: dict[str, Any] = {
            "QualificationTypeId": self.type_id(pool),
            "Status": "Granted",
            "MaxResults": 100,
        }
        while True:
            page = client.list_workers_with_qualification_type(**arguments)
            holders.update({q["WorkerId"]: q["IntegerValue"] for q in page["Qualifications"]})
            if not page.get("NextToken"):
                return holders
            arguments["NextToken"] = page["NextToken"]

    def calls(self, operation: str) -> int:
        counts = self.server.counters().get(operation, {})
        return sum(counts.values())


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
