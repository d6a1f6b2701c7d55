"""The house rules of the package layout: imports point one way, and the core stays pure.

Each folder says what its code touches; this test reads every module's imports (statically, with
``ast``) and fails when an arrow points the wrong way, so the layout cannot erode silently.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reconciler"

# folder -> the folders of the tool it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "lab": {"core"},
    "platform": {"core"},
    "render": {"core"},
    "ops": {"core", "lab", "platform", "render", "emulators"},
    "cli": {"core", "lab", "platform", "render", "ops", "emulators"},
    "emulators": {"core", "lab"},
}
# Modules that may import the emulators: the composition root of a local target, and its command.
EMULATOR_USERS = {"ops/targets.py", "ops/local_seed.py", "cli/local.py"}
# What the pure core must never import: I/O, clocks, threads, the platform's SDK, YAML.
IMPURE = {
    "boto3",
    "botocore",
    "ruamel",
    "os",
    "subprocess",
    "socket",
    "threading",
    "concurrent",
    "click",
    "rich",
}
# The one exception, by name: a problem's path is shown relative to the working directory.
PURITY_EXCEPTIONS = {"problems.py": {"os"}}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_point_one_way(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    folder = relative.parts[0]
    wrong = set()
    for name in imports_of(path):
        parts = name.split(".")
        if parts[0] != "reconciler" or len(parts) < 2 or parts[1] == folder:
            continue
        if parts[1] not in ALLOWED[folder]:
            wrong.add(name)
        if parts[1] == "emulators" and relative.as_posix() not in EMULATOR_USERS:
            wrong.add(name)
    assert not wrong, f"{relative} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda path: path.name)
def test_the_core_is_pure(path: Path) -> None:
    impure = {name for name in imports_of(path) if name.split(".")[0] in IMPURE}
    impure -= PURITY_EXCEPTIONS.get(path.name, set())
    assert not impure, f"core/{path.name} imports {sorted(impure)}"
