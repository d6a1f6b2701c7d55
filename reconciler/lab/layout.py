"""Where things live in a lab's repository. One place, so every command agrees."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXCLUSIONS_DIR = "exclusions"
CONFIG_FILE = "config.yaml"
STUDIES_DIR = "studies"
LOCKS_DIR = "locks"
# The record of each pool's qualification type on a target, beside that target's captures.
POOL_TYPES_FILE = "pools.yaml"
# The record of who the repository listed among each pool's holders at the last apply.
GRANTED_DIR = "granted"
LOCAL_STATE_DIR = ".exclusions-local"

# The first line of every file, so editors running yaml-language-server validate as the user types.
MODELINE_PREFIX = "# yaml-language-server: $schema="


@dataclass(frozen=True, slots=True)
class Layout:
    """The paths of one repository, found from its root."""

    root: Path

    @property
    def exclusions(self) -> Path:
        return self.root / EXCLUSIONS_DIR

    @property
    def config(self) -> Path:
        return self.exclusions / CONFIG_FILE

    @property
    def studies(self) -> Path:
        return self.exclusions / STUDIES_DIR

    @property
    def locks(self) -> Path:
        return self.exclusions / LOCKS_DIR

    def locks_of(self, target: str) -> Path:
        return self.locks / target

    def capture_file(self, target: str, hit_id: str) -> Path:
        return self.locks_of(target) / f"{hit_id}.yaml"

    def pool_types_file(self, target: str) -> Path:
        return self.locks_of(target) / POOL_TYPES_FILE

    def granted_of(self, target: str) -> Path:
        return self.locks_of(target) / GRANTED_DIR

    def granted_file(self, target: str, pool: str) -> Path:
        return self.granted_of(target) / f"{pool}.yaml"

    def study_file(self, study_id: str) -> Path:
        return self.studies / f"{study_id}.yaml"

    @property
    def scratch(self) -> Path:
        """Where files are written before being renamed into place: git-ignored, and outside
        every folder a workflow commits (exclusions/locks, exclusions/studies)."""
        return self.root / LOCAL_STATE_DIR / "tmp"

    @property
    def turn_files(self) -> Path:
        """Where runs on one machine take turns writing a folder's files (``writing.taking_turns``)."""
        return self.root / LOCAL_STATE_DIR / "turns"

    def default_local_state(self, target: str) -> Path:
        return self.root / LOCAL_STATE_DIR / target / "state.json"

    def modeline_for(self, path: Path, schema_file: str) -> str:
        """The schema line for ``path``, pointing at ``schemas/`` by a path relative to the file."""
        depth = len(path.resolve().relative_to(self.root.resolve()).parts) - 1
        return f"{MODELINE_PREFIX}{'../' * depth}schemas/{schema_file}"


def find_root(start: Path) -> Path | None:
    """The repository root for ``start``: a folder holding exclusions/config.yaml, or the
    exclusions/ folder itself, searched upwards like git does so any sub-folder works."""
    start = start.resolve()
    if start.name == EXCLUSIONS_DIR and (start / CONFIG_FILE).is_file():
        return start.parent
    for folder in (start, *start.parents):
        if (folder / EXCLUSIONS_DIR / CONFIG_FILE).is_file():
            return folder
    return None
