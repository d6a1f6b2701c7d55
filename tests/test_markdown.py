"""``exclusions plan --format markdown``: the pull-request comment, end to end against the local MTurk."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reconciler.core.live import QualificationTypeSettings
from reconciler.core.plan import Plan, PoolPlan, WorkerChange
from reconciler.kinds.mturk import MTURK
from reconciler.render.markdown import COMMENT_LIMIT, escape, marker, render_markdown
from tests.e2e import Lab, emulator, iso

MARKER = "<!-- study-exclusions-plan target=emu -->"
CODE = re.compile(r"<code>(.*?)</code>")


def markdown(lab: Lab, *args: str, **env: str) -> str:
    run = lab.run("plan", "--format", "markdown", *args, **env)
    assert run.status == 0, run.output
    return run.stdout


def planned_workers(lab: Lab) -> set[str]:
    run = lab.run("plan", "--format", "json")
    assert run.status == 0, run.output
    plan = json.loads(run.stdout)
    return {
        change["id"]
        for pool in plan["pools"]
        for kind in ("grant", "revoke", "update")
        for change in pool[kind]
    }


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def cells(row: str) -> int:
    """The number of cells GitHub sees in a table row: pipes not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


# --- worker IDs ------------------------------------------------------------------------------------


def test_worker_ids_are_masked_by_default_and_similar_ids_stay_distinguishable(lab: Lab) -> None:
    similar = ["ASIMILAR1000000001", "ASIMILAR2000000001"]  # differ far from either end
    lab.write_study("similar", workers=similar)
    workers = planned_workers(lab)
    assert set(similar) <= workers
    text = markdown(lab)
    for worker_id in workers:
        assert worker_id not in text
    shown = {code for row in table_rows(text) for code in CODE.findall(row)}
    assert len(shown) == len(workers)  # one distinct masked form per worker
    assert all("…" in masked for masked in shown)
    assert "masked" in text


def test_show_worker_ids_shows_them_whole(lab: Lab) -> None:
    workers = planned_workers(lab)
    text = markdown(lab, "--show-worker-ids")
    for worker_id in workers:
        assert f"<code>{worker_id}</code>" in text
    assert "Worker IDs are masked" not in text


def test_mask_worker_ids_is_the_same_as_the_default(lab: Lab) -> None:
    def without_time(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith("<sub>Planned at"))

    assert without_time(markdown(lab, "--mask-worker-ids")) == without_time(markdown(lab))


# --- the comment's shape -------------------------------------------------------------------------


def test_the_comment_starts_with_the_hidden_marker_then_counts_per_pool(lab: Lab) -> None:
    text = markdown(lab)
    lines = text.splitlines()
    assert lines[0] == MARKER == marker("emu")
    assert "**Plan:** 8 to grant, 0 to revoke, 0 to update value, 2 qualification type changes." in text
    assert "| deception | Example Lab: took part in a deception study | 0 | 7 | 7 | 0 | 0 | create |" in text
    # Counts first: the pool table comes before the changes grouped by study.
    assert text.index("| Pool |") < text.index("### Changes by study")
    assert "<summary>study <b>trust-game-2026</b> — Trust game with a simulated partner: 6 to grant" in text
    assert "<summary>study <b>ultimatum-pilot</b>" in text


def test_long_lists_are_collapsed_and_short_ones_open(lab: Lab) -> None:
    lab.write_study("long-one", workers=[f"ALONGWORKER{index:04d}" for index in range(25)])
    text = markdown(lab)
    assert "<details>\n<summary>study <b>long-one</b> — Study long-one: 25 to grant</summary>" in text
    assert "<details open>\n<summary>study <b>ultimatum-pilot</b>" in text


def test_no_changes_is_said_plainly(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    text = markdown(lab)
    assert text.startswith(MARKER)
    assert "**No changes.**" in text
    assert "<details" not in text and "Revocations" not in text


def test_revocations_stand_out(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    study = lab.study("false-feedback-2025")
    lab.write_study("false-feedback-2025", **{**study, "status": "released"})
    text = markdown(lab)
    assert "🔴 **2 to revoke**" in text.splitlines()[3]  # in the summary line itself
    assert "### 🔴 Revocations" in text and "> [!CAUTION]" in text
    assert "revokes 2 qualifications" in text
    assert text.count("| 🔴 **revoke** |") == 2
    assert text.index("### 🔴 Revocations") < text.index("### Changes by study")  # before the rest
    assert "🔴 **2** | —" in text  # the pool's revoke count, in the pool table


def test_a_qualification_type_change_is_shown_attribute_by_attribute(lab: Lab) -> None:
    assert lab.run("apply", "--auto-approve").status == 0
    config = lab.config()
    config["pools"]["deception"]["description"] = "A clearer | description."
    lab.write_config(config)
    text = markdown(lab)
    assert "- ✏️ pool **deception**: update qualification type <code>" in text
    assert "  - description: " in text and "→ &#34;A clearer &#124; description.&#34;" in text
    assert "| deception | Example Lab: took part in a deception study | 7 | 7 | 0 | 0 | 0 | update |" in text


def test_plan_warnings_appear(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    hit = {
        "hit_id": "3MARKDOWNLATE0000000000000001",
        "created": iso(now - timedelta(days=109, hours=12)),  # disposed of in 10.5 days
        "lifetime_seconds": 365 * 86400,
        "max_assignments": 1,
        "assignments": [{"worker_id": "ALATEWORKER01", "status": "Approved"}],
    }
    with emulator(tmp_path, {"hits": [hit]}) as server:
        lab = Lab(tmp_path / "lab", server)
        lab.write_study("late", hits=[hit["hit_id"]])
        text = markdown(lab)
    assert "> [!WARNING]" in text
    assert "> - HIT 3MARKDOWNLATE0000000000000001 (late) will be disposed of by MTurk in 10 days" in text


# --- escaping ------------------------------------------------------------------------------------


# The schema refuses control characters (newlines included) in titles; everything else that could
# break a comment is here. The renderer's own newline handling is tested on escape() below.
HOSTILE = "Pipes | and `ticks` <script>alert(1)</script> second line @someone *bold* [link](http://x)"


def test_a_hostile_title_and_type_name_cannot_break_the_comment(lab: Lab) -> None:
    lab.write_study("hostile", title=HOSTILE, workers=["AHOSTILE0001"])
    config = lab.config()
    config["pools"]["deception"]["name"] = "Lab | deception `x` <b>@team</b>"
    lab.write_config(config)
    text = markdown(lab)
    assert "<script" not in text and "</script" not in text and "<b>@team" not in text
    assert "@someone" not in text and "@team" not in text  # nobody is mentioned
    assert "`ticks`" not in text and "*bold*" not in text and "[link]" not in text
    (summary,) = [line for line in text.splitlines() if "study <b>hostile</b>" in line]
    assert summary.startswith("<summary>") and summary.endswith("</summary>")  # one line
    assert "second line" in summary
    # Every row of a table has as many cells as its header.
    tables = re.split(
        r"\n(?!\|)", "\n".join(line if line.startswith("|") else "" for line in text.splitlines())
    )
    for table in filter(None, (block.strip() for block in tables)):
        rows = table.splitlines()
        assert {cells(row) for row in rows} == {cells(rows[0])}, table
    (pool_row,) = [row for row in table_rows(text) if row.startswith("| deception |")]
    assert cells(pool_row) == 8
    assert "Lab &#124; deception &#96;x&#96; &#60;b&#62;@&#8203;team&#60;/b&#62;" in pool_row


def test_escape_neutralises_markdown_html_and_mentions() -> None:
    escaped = escape("a|b `c` <i>d</i> @e\n- f & g")
    assert escaped == "a&#124;b &#96;c&#96; &#60;i&#62;d&#60;/i&#62; @&#8203;e - f &#38; g"
    assert escape("- starts a list") == "&#45; starts a list"
    assert escape("12. starts a numbered list") == "&#49;&#50;. starts a numbered list"
    assert len(escape("x" * 1000)) == 200
    assert marker("pro duction-->") == "<!-- study-exclusions-plan target=pro_duction--_ -->"


# --- size ----------------------------------------------------------------------------------------


def test_a_huge_plan_stays_under_the_comment_limit_and_points_at_the_artifact(lab: Lab) -> None:
    lab.write_study("huge", workers=[f"AHUGE{index:08d}" for index in range(5000)])
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "example-lab/exclusions",
        "GITHUB_RUN_ID": "4242",
    }
    text = markdown(lab, **env)
    assert len(text) < COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert "**Plan:** 5008 to grant" in text  # the counts are whole
    assert "not listed here" in text
    assert (
        "`plan` artifact of [this workflow run](https://github.com/example-lab/exclusions/actions/runs/4242)"
        in text
    )
    # Every study still shows some rows: one long study does not crowd out the others.
    for study in ("huge", "false-feedback-2025", "trust-game-2026", "ultimatum-pilot"):
        assert f"study <b>{study}</b>" in text
    assert "AHUGE00000001" not in text


def test_many_studies_are_cut_whole_when_even_one_row_each_does_not_fit() -> None:
    settings = QualificationTypeSettings("Pool", "A pool", None)
    grants = tuple(
        WorkerChange(f"AMANY{index:08d}", None, 1, (f"study-{index:05d}",)) for index in range(4000)
    )
    plan = Plan(
        target="production",
        platform=MTURK,
        created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        pools=(PoolPlan("deception", settings, None, None, 0, grants=grants),),
        live_fingerprint="sha256:" + "0" * 64,
        desired_fingerprint="sha256:" + "1" * 64,
    )
    text = render_markdown(plan, full_plan="See the artifact.")
    assert len(text) <= COMMENT_LIMIT
    assert "study <b>study-00000</b>" in text and "study <b>study-03999</b>" not in text
    assert "not listed here" in text and "See the artifact." in text


# --- GitHub Actions ------------------------------------------------------------------------------


def test_on_github_actions_every_plan_appends_the_summary_to_the_job_summary(
    lab: Lab, tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    text = lab.run("plan", **env)
    assert text.status == 0, text.output
    as_json = lab.run("plan", "--format", "json", **env)
    assert json.loads(as_json.stdout)["summary"]["grant"] == 8  # stdout stays pure JSON
    written = summary.read_text()
    assert written.startswith("earlier step\n")  # appended, not overwritten
    assert written.count(MARKER) == 2
    assert "**Plan:** 8 to grant" in written
    assert "AEXAMPLEWORKER0001" not in written  # masked there too


def test_outside_github_actions_no_job_summary_is_written(lab: Lab, tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    assert lab.run("plan", GITHUB_STEP_SUMMARY=str(summary)).status == 0
    assert not summary.exists()
