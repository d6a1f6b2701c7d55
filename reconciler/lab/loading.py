"""Reading a lab's repository into the typed model, collecting every problem on the way.

Loading never stops at the first bad file: ``exclusions validate`` shows everything wrong in one
run. Commands that act (plan, apply, ...) refuse to act while any error remains.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reconciler.core.model import (
    DEFAULT_MAX_REVOKE_FRACTION,
    Capture,
    ClientLimits,
    Config,
    GrantRecord,
    Listing,
    Pool,
    Repository,
    Study,
    StudyStatus,
    Target,
)
from reconciler.core.problems import InvalidInput, Problem, Severity, errors_only
from reconciler.kinds import KINDS, mturk, prolific
from reconciler.lab import rules as checks
from reconciler.lab.document_cache import DocumentCache
from reconciler.lab.layout import MODELINE_PREFIX, POOL_TYPES_FILE, Layout
from reconciler.lab.schemas import (
    CAPTURE_SCHEMA,
    CONFIG_SCHEMA,
    GRANTED_SCHEMA,
    POOLS_SCHEMA,
    STUDY_SCHEMA,
    schema_problems,
)
from reconciler.lab.yaml_files import Document, parse_text, read_text

_IGNORED_SUFFIXES = {".md", ".txt"}


@dataclass
class LoadResult:
    """What loading found: the repository when it is usable, and every problem either way."""

    repository: Repository | None
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    # config.yaml when it is valid, even if other files are not (a retired target is skipped on it).
    config: Config | None = None
    # Documents already validated in an earlier run, by content; none when not given.
    cache: DocumentCache = field(default_factory=lambda: DocumentCache(None), repr=False)

    def require(self) -> Repository:
        """The repository, or ``InvalidInput`` naming every error."""
        self.require_no_errors()
        if self.repository is None:
            raise InvalidInput(self.problems)
        return self.repository

    def require_no_errors(self) -> None:
        errors = errors_only(self.problems)
        if errors:
            raise InvalidInput(errors)


def load_repository(
    root: Path, *, with_captures: bool = True, check_seed: checks.SeedCheck | None = None
) -> LoadResult:
    """Everything ``validate`` checks. Commands that go on to open a target pass
    ``with_captures=False`` (they read the captures of that target only) and no ``check_seed``
    (starting a local target reads and checks its seed anyway, so it is not parsed twice)."""
    layout = Layout(root)
    result = LoadResult(None, cache=DocumentCache.for_section(root, "studies"))
    config = result.config = _load_config(layout, result)
    loaded = list(_load_studies(layout, result))
    result.cache.save()
    if config is not None:
        result.problems.extend(checks.config_problems(config, check_seed))
    # Studies that broke their schema are checked too (leniently built), so one run shows all.
    invalid = frozenset(study.path for study, valid in loaded if not valid)
    result.problems.extend(checks.study_problems([study for study, _ in loaded], config, invalid))
    studies = [study for study, valid in loaded if valid]
    if with_captures:
        for target_dir in _capture_folders(layout, config, result):
            load_captures(layout, target_dir.name, result)
            load_grant_records(layout, target_dir.name, result, config)
    result.problems.sort(key=lambda problem: (str(problem.path), problem.line, problem.column))
    if config is not None and not errors_only(result.problems):
        result.repository = Repository(root, config, tuple(study for study in studies if study))
    return result


def _read(
    path: Path, schema: str, layout: Layout, result: LoadResult, cache: DocumentCache | None = None
) -> Document | None:
    """The document when it is valid against its schema; otherwise None, with the problems noted."""
    document, valid = _read_checked(path, schema, layout, result, cache or result.cache)
    return document if valid else None


def _read_checked(
    path: Path, schema: str, layout: Layout, result: LoadResult, cache: DocumentCache
) -> tuple[Document | None, bool]:
    """The parsed document (None if it cannot be parsed) and whether it passed its schema; from
    the cache when these exact bytes passed before, else parsed, checked and cached when clean."""
    result.files_read += 1
    try:
        text = read_text(path, root=layout.root)
        cached = cache.get(path, text, schema)
        if cached is not None:
            return Document(path, *cached), True
        document = parse_text(path, text)
    except InvalidInput as error:
        result.problems.extend(error.problems)
        return None, False
    problems_before = len(result.problems)
    valid = _check_against_schema(document, schema, layout, result)
    if valid and len(result.problems) == problems_before:  # not even a warning
        cache.put(path, text, schema, document.data, document.first_line)
    return document, valid


def _check_against_schema(document: Document, schema: str, layout: Layout, result: LoadResult) -> bool:
    path = document.path
    if not document.first_line.startswith(MODELINE_PREFIX):
        result.problems.append(
            Problem(
                path,
                "the first line does not name the file's schema",
                f"start the file with '{layout.modeline_for(path, schema)}'",
                1,
                1,
                Severity.WARNING,
            )
        )
    problems = schema_problems(path, document.data, schema)
    result.problems.extend(problems)
    return not problems


# --- config ------------------------------------------------------------------------------------


def _load_config(layout: Layout, result: LoadResult) -> Config | None:
    if not layout.config.is_file():
        result.problems.append(
            Problem(
                layout.config,
                "no config file",
                "create exclusions/config.yaml (see the example in the README)",
            )
        )
        return None
    document = _read(layout.config, CONFIG_SCHEMA, layout, result)
    if document is None:
        return None
    data: dict[str, Any] = document.data
    targets = {name: _build_target(layout, name, spec) for name, spec in data["targets"].items()}
    pools = {key: _build_pool(key, spec) for key, spec in data["pools"].items()}
    required = tuple(data.get("audit", {}).get("required_pools", ()))
    return Config(layout.config, data["default_target"], targets, pools, required)


def _build_target(layout: Layout, name: str, spec: dict[str, Any]) -> Target:
    limits = ClientLimits(spec.get("rate_limit"), spec.get("max_concurrency"))
    return _TARGET_KINDS[spec["kind"]](layout, name, spec, limits)


def _build_local_mturk_target(
    layout: Layout, name: str, spec: dict[str, Any], limits: ClientLimits
) -> mturk.LocalMTurkTarget:
    state = layout.root / spec["state"] if "state" in spec else layout.default_local_state(name)
    seed = layout.exclusions / spec["seed"] if "seed" in spec else None
    return mturk.LocalMTurkTarget(name, state, seed, limits, retired=spec.get("retired", False))


def _build_mturk_target(
    layout: Layout, name: str, spec: dict[str, Any], limits: ClientLimits
) -> mturk.MTurkTarget:
    endpoint_url = spec.get("endpoint_url") or mturk.ENDPOINTS[spec["endpoint"]]
    return mturk.MTurkTarget(
        name,
        endpoint_url,
        spec.get("region", mturk.DEFAULT_REGION),
        spec.get("profile"),
        limits,
        retired=spec.get("retired", False),
    )


def _build_prolific_target(
    layout: Layout, name: str, spec: dict[str, Any], limits: ClientLimits
) -> prolific.ProlificTarget:
    local = bool(spec.get("local", False))
    state = layout.root / spec["state"] if "state" in spec else layout.default_local_state(name)
    return prolific.ProlificTarget(
        name,
        workspace_id=spec.get("workspace_id"),
        project_id=spec.get("project_id"),
        token_env=spec.get("token_env", "PROLIFIC_TOKEN"),
        base_url=spec.get("endpoint_url", prolific.API),
        local=local,
        state_path=state.with_name("prolific-state.json") if local and "state" not in spec else state,
        seed_path=layout.exclusions / spec["seed"] if "seed" in spec else None,
        limits=limits,
        retired=spec.get("retired", False),
    )


# config.yaml's target kinds (the schema allows exactly these), each built its own way.
_TARGET_KINDS: dict[str, Callable[[Layout, str, dict[str, Any], ClientLimits], Target]] = {
    "local": _build_local_mturk_target,
    "mturk": _build_mturk_target,
    "prolific": _build_prolific_target,
}


def _build_pool(key: str, spec: dict[str, Any]) -> Pool:
    safety = spec.get("safety", {})
    return Pool(
        key=key,
        name=spec["name"],
        description=spec["description"],
        keywords=spec.get("keywords"),
        pinned_type_ids=dict(spec.get("qualification_type_id", {})),
        exclude_after=spec.get("exclude_after", 1),
        revoke_reason=spec.get("revoke_reason"),
        max_revoke_fraction=float(safety.get("max_revoke_fraction", DEFAULT_MAX_REVOKE_FRACTION)),
        allow_empty=bool(safety.get("allow_empty", False)),
        approved_revocations=safety.get("approve_revocations"),
        keep_outside_holders=spec.get("outside_holders", "keep") == "keep",
    )


# --- studies -----------------------------------------------------------------------------------


def _load_studies(layout: Layout, result: LoadResult) -> Iterator[tuple[Study, bool]]:
    """Each study with whether it passed its schema; an invalid one is built from what is usable."""
    if not layout.studies.is_dir():
        return
    for path in sorted(layout.studies.iterdir()):
        if path.name.startswith(".") or path.suffix in _IGNORED_SUFFIXES:
            continue
        if path.is_dir():
            result.problems.append(
                Problem(path, "sub-folders of studies/ are not read", "move its files up into studies/")
            )
            continue
        if path.suffix != ".yaml":
            result.problems.append(
                Problem(path, "not read: study files end in .yaml", f"rename it to {path.stem}.yaml")
            )
            continue
        document, valid = _read_checked(path, STUDY_SCHEMA, layout, result, result.cache)
        if document is None:
            continue
        study = _build_study(path, document.data) if valid else _lenient_study(path, document.data)
        if study is not None:
            yield study, valid


def _lenient_study(path: Path, data: Any) -> Study | None:
    """A study from a document that broke its schema, keeping only values of usable types."""
    if not isinstance(data, dict):
        return None

    def texts(key: str) -> tuple[str, ...]:
        values = data.get(key)
        # str() of everything, not a filter, so indexes still point at the file's lines.
        return tuple(str(v) for v in values) if isinstance(values, list) else ()

    study_id = data.get("study")
    return Study(
        study_id=study_id if isinstance(study_id, str) else path.stem,
        path=path,
        title=str(data.get("title", "")),
        pools=texts("pools"),
        status=StudyStatus.ACTIVE if data.get("status") != "released" else StudyStatus.RELEASED,
        listings=tuple(
            (kind.key, Listing(texts(kind.words.units_key), texts(kind.words.holders_key))) for kind in KINDS
        ),
    )


def _build_study(path: Path, data: dict[str, Any]) -> Study:
    until = data.get("exclude_until")
    return Study(
        study_id=data["study"],
        path=path,
        title=data["title"],
        pools=tuple(data["pools"]),
        status=StudyStatus(data["status"]),
        exclude_until=date.fromisoformat(until) if until else None,
        notes=data.get("notes"),
        listings=tuple(
            (
                kind.key,
                Listing(
                    tuple(data.get(kind.words.units_key, ())), _shared(data.get(kind.words.holders_key, ()))
                ),
            )
            for kind in KINDS
        ),
    )


# --- captures ----------------------------------------------------------------------------------


def _capture_folders(layout: Layout, config: Config | None, result: LoadResult) -> list[Path]:
    if not layout.locks.is_dir():
        return []
    folders = []
    for path in sorted(layout.locks.iterdir()):
        if path.name.startswith(".") or path.suffix in _IGNORED_SUFFIXES:
            continue
        if not path.is_dir():
            result.problems.append(
                Problem(path, "locks/ holds one folder per target", "move the file into locks/<target>/")
            )
            continue
        if config is not None and path.name not in config.targets:
            result.problems.append(
                Problem(
                    path,
                    f"captures for '{path.name}', which is not a target in config.yaml",
                    "remove the folder or restore the target",
                    severity=Severity.WARNING,
                )
            )
        folders.append(path)
    return folders


def load_captures(layout: Layout, target: str, result: LoadResult) -> dict[str, Capture]:
    """The captures of one target, keyed by HIT ID; problems go into ``result``."""
    captures: dict[str, Capture] = {}
    folder = layout.locks_of(target)
    if not folder.is_dir():
        return captures
    cache = DocumentCache.for_section(layout.root, f"locks/{target}")
    for path in sorted(folder.glob("*.yaml")):
        if path.name == POOL_TYPES_FILE:
            _read(path, POOLS_SCHEMA, layout, result, cache)  # the pools' types (lab/pool_types.py)
            continue
        document = _read(path, CAPTURE_SCHEMA, layout, result, cache)
        if document is None:
            continue
        capture = _build_capture(path, document.data)
        result.problems.extend(checks.capture_problems(capture, target))
        captures[capture.hit_id] = capture
    cache.save()
    return captures


def load_grant_records(
    layout: Layout, target: str, result: LoadResult, config: Config | None = None
) -> dict[str, GrantRecord]:
    """Pool key -> who the repository listed among its holders on ``target`` at the last apply
    (``lab/granted.py`` writes them); problems go into ``result``. A pool with no file has no
    record: nobody counts as listed then, so nobody is revoked for it."""
    records: dict[str, GrantRecord] = {}
    folder = layout.granted_of(target)
    if not folder.is_dir():
        return records
    cache = DocumentCache.for_section(layout.root, f"locks/{target}/granted")
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix in _IGNORED_SUFFIXES:
            continue
        if path.suffix != ".yaml" or not path.is_file():
            result.problems.append(
                Problem(path, "granted/ holds one <pool>.yaml file per pool", "remove it (git rm)")
            )
            continue
        document = _read(path, GRANTED_SCHEMA, layout, result, cache)
        if document is None:
            continue
        data = document.data
        problems = checks.grant_record_problems(path, data["pool"], data["target"], target)
        if config is not None and data["pool"] not in config.pools:
            problems.append(
                Problem(
                    path,
                    f"a record for pool '{data['pool']}', which is not a pool in config.yaml",
                    "remove the file (git rm) or restore the pool",
                    severity=Severity.WARNING,
                )
            )
        result.problems.extend(problems)
        if not errors_only(problems):
            records[data["pool"]] = GrantRecord(
                workers=frozenset(_shared(data["workers"])), studies=frozenset(data["studies"])
            )
    cache.save()
    return records


def _build_capture(path: Path, data: dict[str, Any]) -> Capture:
    return Capture(
        target=data["target"],
        hit_id=data["hit_id"],
        read_at=parse_time(data["read_at"]),
        complete=data["complete"],
        workers=_compact_set(_shared(data["workers"])),
        hit_created=parse_time(data["hit_created"]) if "hit_created" in data else None,
        hit_expiration=parse_time(data["hit_expiration"]) if "hit_expiration" in data else None,
        hit_status=data.get("hit_status"),
        path=path,
        hit_submitted=data.get("hit_submitted"),
    )


def _compact_set(worker_ids: tuple[str, ...]) -> frozenset[str]:
    """The IDs as a frozenset sized for its final count. Built item by item, CPython grows a set's
    table to four times the items it holds when resizing (512 slots for 100 IDs); copied from a
    set, it is sized once (256): half the memory, which 20,000 captures make 85 MB."""
    return frozenset(set(worker_ids))


def _shared(worker_ids: list[str]) -> tuple[str, ...]:
    """The IDs as one string object per worker for the whole repository: a worker listed by many
    captures and studies is held once (a lab of 20,000 studies holds two million such mentions)."""
    return tuple(map(sys.intern, worker_ids))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
