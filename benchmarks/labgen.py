"""Synthetic labs for benchmarks: many study files with obviously fake worker and HIT IDs."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

STUDY_TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/study.schema.json
study: {study_id}
title: Synthetic study {index}
pools: [{pool}]
status: active
"""


def fake_worker(number: int) -> str:
    return f"AFAKE{number:010d}"


def fake_hit(number: int) -> str:
    return f"3FAKEHIT{number:022d}"


def make_lab(
    root: Path,
    *,
    studies: int,
    workers_per_study: int,
    hits_per_study: int = 0,
    distinct_workers: int | None = None,
) -> Path:
    """A lab at ``root`` from the example config, with ``studies`` synthetic study files.

    Workers are drawn round-robin from ``distinct_workers`` IDs (all distinct when None), so a
    benchmark can choose how much participants overlap between studies.
    """
    if root.exists():
        shutil.rmtree(root)
    (root / "exclusions" / "studies").mkdir(parents=True)
    (root / "exclusions" / "locks").mkdir()
    shutil.copy(PROJECT / "exclusions" / "config.yaml", root / "exclusions" / "config.yaml")
    shutil.copy(PROJECT / "exclusions" / "local-seed.yaml", root / "exclusions" / "local-seed.yaml")
    pool_size = distinct_workers or studies * workers_per_study
    for index in range(studies):
        study_id = f"study-{index:05d}"
        lines = [STUDY_TEMPLATE.format(study_id=study_id, index=index, pool="deception")]
        if hits_per_study:
            lines.append("hits:\n")
            lines.extend(f"  - {fake_hit(index * hits_per_study + h)}\n" for h in range(hits_per_study))
        if workers_per_study:
            lines.append("workers:\n")
            first = index * workers_per_study
            lines.extend(f"  - {fake_worker((first + w) % pool_size)}\n" for w in range(workers_per_study))
        (root / "exclusions" / "studies" / f"{study_id}.yaml").write_text("".join(lines))
    return root
