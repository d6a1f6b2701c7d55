"""What a JSON Schema cannot say: references between files and duplicates within one.

Each check returns problems located at the offending line; locating re-reads the file, which is
only paid for when something is wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from reconciler.core.model import Capture, Config, Study, Target
from reconciler.core.problems import Problem, Severity
from reconciler.kinds import KINDS
from reconciler.lab.id_advice import advice
from reconciler.lab.schemas import STUDY_SCHEMA, schema_accepts_item
from reconciler.lab.yaml_files import locate

# Checks a local target's seed file, which the tool reads too. The seed's format belongs to the
# emulator that reads it, so the check is handed in by the caller rather than imported here.
SeedCheck = Callable[[Target], list[Problem]]


def _at(path: Path, pointer: Sequence[str | int], message: str, hint: str, *, key: bool = False) -> Problem:
    line, column = locate(path, pointer, key=key)
    return Problem(path, message, hint, line, column)


def config_problems(config: Config, check_seed: SeedCheck | None = None) -> list[Problem]:
    path = config.path
    problems: list[Problem] = []
    targets = sorted(config.targets)
    if config.default_target not in config.targets:
        problems.append(
            _at(
                path,
                ["default_target"],
                f"default_target '{config.default_target}' is not one of the targets",
                f"use one of: {', '.join(targets)}",
            )
        )
    for name, target in config.targets.items():
        if target.seed_path and not target.local:
            problems.append(
                _at(
                    path,
                    ["targets", name, "seed"],
                    f"a seed is only read by the embedded local {target.kind.name}",
                    "add 'local: true' to the target, or remove 'seed:'",
                )
            )
        elif target.seed_path and not target.seed_path.is_file():
            problems.append(
                _at(
                    path,
                    ["targets", name, "seed"],
                    f"the seed file {target.seed_path.name} does not exist",
                    "give a path relative to the exclusions/ folder",
                )
            )
        elif check_seed and target.seed_path:
            problems.extend(check_seed(target))
    names: dict[str, list[str]] = defaultdict(list)
    for key, pool in config.pools.items():
        names[pool.name].append(key)
        for target_name in pool.pinned_type_ids:
            if target_name not in config.targets:
                problems.append(
                    _at(
                        path,
                        ["pools", key, "qualification_type_id", target_name],
                        f"pool '{key}' pins a qualification type for '{target_name}', which is not a target",
                        f"use one of: {', '.join(targets)}",
                        key=True,
                    )
                )
    for name, keys in names.items():
        if len(keys) > 1:
            problems.append(
                _at(
                    path,
                    ["pools", keys[1], "name"],
                    f"pools {', '.join(repr(k) for k in keys)} share the name '{name}'",
                    "give every pool its own name: the name finds the pool's participant group "
                    "(or qualification type)",
                )
            )
    problems.extend(_pinned_twice(config))
    for index, required in enumerate(config.required_pools):
        if required not in config.pools:
            problems.append(
                _at(
                    path,
                    ["audit", "required_pools", index],
                    f"audit requires pool '{required}', which is not defined",
                    f"use one of: {', '.join(sorted(config.pools))}",
                )
            )
    return problems


def _pinned_twice(config: Config) -> Iterable[Problem]:
    seen: dict[tuple[str, str], str] = {}
    for key, pool in config.pools.items():
        for target_name, type_id in pool.pinned_type_ids.items():
            other = seen.setdefault((target_name, type_id), key)
            if other != key:
                yield _at(
                    config.path,
                    ["pools", key, "qualification_type_id", target_name],
                    f"pools '{other}' and '{key}' pin the same {_group(config, target_name)} "
                    f"on '{target_name}'",
                    f"each pool needs a {_group(config, target_name)} of its own",
                )


def _group(config: Config, target_name: str) -> str:
    """What holds a pool on the target, in its platform's words."""
    target = config.targets.get(target_name)
    return target.kind.words.group if target is not None else "group"


def study_problems(
    studies: Sequence[Study], config: Config | None, schema_invalid: frozenset[Path] = frozenset()
) -> list[Problem]:
    """Problems across and within studies; ``schema_invalid`` studies were built leniently."""
    problems: list[Problem] = []
    by_lower_id: dict[str, Study] = {}
    for study in studies:
        problems.extend(_one_study_problems(study, config, complete=study.path not in schema_invalid))
        other = by_lower_id.setdefault(study.study_id.lower(), study)
        if other is not study:
            problems.append(
                _at(
                    study.path,
                    ["study"],
                    f"study ID '{study.study_id}' is also used by {other.path.name}",
                    "give each study a unique ID (IDs differing only in case clash on macOS and Windows)",
                )
            )
    return problems


def _one_study_problems(study: Study, config: Config | None, *, complete: bool) -> Iterable[Problem]:
    path = study.path
    if study.study_id != path.stem:
        yield _at(
            path,
            ["study"],
            f"the study ID '{study.study_id}' differs from the file name '{path.stem}'",
            f"set 'study: {path.stem}' or rename the file to {study.study_id}.yaml",
        )
    for index, pool in enumerate(study.pools):
        if config is not None and pool not in config.pools:
            yield _at(
                path,
                ["pools", index],
                f"pool '{pool}' is not defined in config.yaml",
                f"use one of: {', '.join(sorted(config.pools))}",
            )
    yield from _duplicates(path, "pools", study.pools, "pool")
    for kind in KINDS:
        listing = study.listing(kind.key)
        words = kind.words
        yield from _duplicates(path, words.units_key, listing.units, words.unit)
        yield from _misplaced_ids(path, words.units_key, listing.units)
        yield from _duplicates(path, words.holders_key, listing.holders, words.holder)
    if complete and not study.lists_anything:
        line, column = locate(path, ["study"])
        listed = " or ".join(
            f"'{kind.words.units_key}:' or '{kind.words.holders_key}:' ({kind.name})" for kind in KINDS
        )
        yield Problem(
            path,
            "the study lists no "
            + ", ".join(f"{kind.words.units} or {kind.words.holders}" for kind in KINDS)
            + ", so it excludes nobody",
            f"add {listed}",
            line,
            column,
            Severity.WARNING,
        )


def _misplaced_ids(path: Path, key: str, values: Sequence[str]) -> Iterable[Problem]:
    """IDs the schema accepts under ``key`` that belong elsewhere (an MTurk worker ID passes for
    a HIT ID by its characters), and URLs pasted whole; other IDs the schema refuses get the
    same advice as the hint of the schema's problem."""
    for index, value in enumerate(values):
        if "://" not in value and not schema_accepts_item(STUDY_SCHEMA, key, value):
            continue
        found = advice(key, value)
        if found is not None:
            yield _at(path, [key, index], found.message, found.hint)


def _duplicates(path: Path, key: str, values: Sequence[str], what: str) -> Iterable[Problem]:
    counts = Counter(values)
    if all(count == 1 for count in counts.values()):
        return
    first_seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first_seen:
            line, _ = locate(path, [key, first_seen[value]])
            yield _at(
                path,
                [key, index],
                f"{what} {value} is listed twice (first on line {line})",
                "remove one of the two lines",
            )
        else:
            first_seen[value] = index


def grant_record_problems(path: Path, pool: str, target: str, folder_target: str) -> list[Problem]:
    """A record of granted holders must lie where its pool and target say (a copied file would
    otherwise decide another pool's revocations)."""
    problems = []
    if pool != path.stem:
        problems.append(
            _at(
                path,
                ["pool"],
                f"the pool '{pool}' differs from the file name '{path.stem}'",
                "restore the file with git",
            )
        )
    if target != folder_target:
        problems.append(
            _at(
                path,
                ["target"],
                f"the record is for target '{target}' but lies in locks/{folder_target}/granted/",
                "restore the file with git",
            )
        )
    return problems


def capture_problems(capture: Capture, folder_target: str) -> list[Problem]:
    path = capture.path
    if path is None:
        return []
    problems = []
    if capture.hit_id != path.stem:
        problems.append(
            _at(
                path,
                ["hit_id"],
                f"the ID in the file differs from its name '{path.stem}'",
                "restore the file",
            )
        )
    if capture.target != folder_target:
        problems.append(
            _at(
                path,
                ["target"],
                f"the capture is for target '{capture.target}' but lies in locks/{folder_target}/",
                "restore the file with git",
            )
        )
    return problems
