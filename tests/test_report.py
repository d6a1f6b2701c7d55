"""The HTML report in a real browser: Debian's Chromium, headless, opens the pages from disk and
the test reads what they show against the repository. A screenshot of the overview is kept for
CI as an artifact (under ``$EXCLUSIONS_ARTIFACTS``, by default ``.ci/artifacts/``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.e2e import Lab
from tests.helpers import PROJECT
from tests.test_answers import DECEPTION, EVERY_WORKER, W6, assert_no_whole_id, locked

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("EXCLUSIONS_ARTIFACTS") or PROJECT / ".ci" / "artifacts")
# Flags that let Chromium run headless in a container with no network, GPU or session bus.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install chromium (bash .ci/run does)"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class ById(HTMLParser):
    """The text of every element with an id, as the browser's DOM has it."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"meta", "br", "link", "img", "input", "rect", "path", "line", "circle"}:
            return
        element_id = dict(attrs).get("id")
        self._open.append(element_id)
        if element_id:
            self.text.setdefault(element_id, "")

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in {"rect", "path", "line", "circle"}:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def shown(profile: Path, page: Path) -> dict[str, str]:
    dom = chromium(profile, "--dump-dom", page.as_uri()).stdout
    assert "</html>" in dom, dom[-500:]
    parser = ById()
    parser.feed(dom)
    return {key: " ".join(value.split()) for key, value in parser.text.items()}


def holders(lab: Lab, pool: str) -> dict[str, int]:
    run = lab.run("holders", pool, "--format", "json", "--show-worker-ids")
    return {h["participant"]: h["value"] for h in json.loads(run.stdout)["holders"]}


@pytest.mark.slow
def test_the_report_shows_the_repositorys_numbers_in_a_browser(lab: Lab, tmp_path: Path) -> None:
    locked(lab)
    out = lab.root / "report"
    run = lab.run("report", "--out", str(out))
    assert run.status == 0, run.output
    pages = sorted(path.name for path in out.iterdir())
    assert pages == [
        "index.html",
        "pool-deception.html",
        "pool-economic-games.html",
        "study-false-feedback-2025.html",
        "study-moral-dilemmas-2026.html",
        "study-public-goods-2024.html",
        "study-trust-game-2026.html",
        "study-ultimatum-pilot.html",
    ]
    for page in out.iterdir():
        text = page.read_text(encoding="utf-8")
        assert_no_whole_id(text)
        # Nothing fetched from a network: no script, style or image from elsewhere.
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), page.name
        assert not re.search(r"<script[^>]*\ssrc=", text), page.name  # pygal's inline config only

    profile = tmp_path / "chromium-profile"
    index = shown(profile, out / "index.html")
    assert index["count-pools"] == "2"
    assert index["count-studies"] == str(len(list(lab.studies.glob("*.yaml"))))
    assert index["count-hits"] == "3"
    assert index["count-uncaptured"] == "0"
    assert index["holders-deception"] == str(len(DECEPTION)) == str(len(holders(lab, "deception")))
    assert index["holders-economic-games"] == "1" == str(len(holders(lab, "economic-games")))
    assert index["participants-study-trust-game-2026"] == "5"
    assert index["participants-study-false-feedback-2025"] == "3"
    assert "Holders per pool" in index["chart-holders"]
    disposal = index["disposal-list"]
    assert disposal.count("partial") == 3 and "3EXAMPLEHITULTIMATUM0000000001" in disposal

    games = shown(profile, out / "pool-economic-games.html")
    assert games["pool-holders"] == "1"
    assert games["overlap-trust-game-2026--ultimatum-pilot"] == "1"
    assert games["overlap-trust-game-2026--trust-game-2026"] == "5"
    assert games["overlap-public-goods-2024--trust-game-2026"] == "0"
    assert "AE…006" in games["holders"] and W6 not in games["holders"]
    assert "Participants per study" in games["chart-over-time"]

    trust = shown(profile, out / "study-trust-game-2026.html")
    assert trust["study-participants"] == "5"
    assert trust["hits"].count("partial") == 2

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report-overview.png"
    screenshot.unlink(missing_ok=True)
    chromium(profile, "--window-size=1200,1700", f"--screenshot={screenshot}", (out / "index.html").as_uri())
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_the_report_marks_uncaptured_hits_on_every_page(lab: Lab) -> None:
    out = lab.root / "report"
    run = lab.run("report", "--out", str(out))
    assert run.status == 0, run.output
    assert "3 HIT(s) have no capture on target 'emu'" in run.stderr
    for page in out.iterdir():
        assert "3 HIT(s) have no capture on this target" in page.read_text(encoding="utf-8"), page.name


def test_the_report_with_worker_ids_shows_them_whole_and_warns(lab: Lab) -> None:
    locked(lab)
    out = lab.root / "report"
    assert lab.run("report", "--out", str(out), "--show-worker-ids").status == 0
    text = (out / "pool-deception.html").read_text(encoding="utf-8")
    assert all(worker in text for worker in DECEPTION)
    assert "shown whole: personal data, do not publish" in text
    assert set(EVERY_WORKER) >= DECEPTION


def test_help_and_other_commands_do_not_load_the_report_libraries() -> None:
    code = (
        "import sys; from reconciler.cli import main\n"
        "try:\n    main(['holders', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'pygal') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT
    )
    assert done.stdout.strip().endswith("[]"), done.stdout


def test_titles_from_study_files_are_escaped_not_run() -> None:
    from reconciler.core.answers import build_record
    from reconciler.core.model import Config, Repository
    from reconciler.kinds.mturk import MTURK
    from reconciler.render.report import render_report
    from tests.core.fakes import TODAY, pool, study

    hostile = replace(study("s1", workers=("AEXAMPLEWORKER0001",)), title="<img src=x onerror=alert(1)>")
    config = Config(Path("/lab/exclusions/config.yaml"), "local", {}, {"deception": pool("deception")})
    record = build_record(Repository(Path("/lab"), config, (hostile,)), {}, "local", MTURK, TODAY)
    pages = render_report(record, lambda worker: "AE…001", masked=True)
    for text in pages.values():
        assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["study-s1.html"]
