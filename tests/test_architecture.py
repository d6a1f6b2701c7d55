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
    # Reading and writing documents safely (the hardened YAML reader, schema findings, whole-file
    # writes): imports nothing of the product, so the emulators may use it too.
    "documents": set(),
    "kinds": {"core"},  # each platform described once: pure data
    "lab": {"core", "kinds", "documents"},
    "platform": {"core", "kinds"},
    "render": {"core", "kinds"},
    "ops": {"core", "kinds", "documents", "lab", "platform", "render", "emulators"},
    # Options, one call into ops/, rendering and the exit status: never the core, the lab's files
    # or a platform directly.
    "cli": {"render", "ops", "emulators"},
    # Siblings of the product, reached over HTTP: nothing of it but the shared document reader.
    "emulators": {"documents"},
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


# --- the platform is one value ------------------------------------------------------------------

PLATFORM_NAMES = {"mturk", "prolific"}
# The one place that tells targets apart by their class, to open them.
TARGET_OPENER = "ops/targets.py"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of every docstring node: explanations may name a platform."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _names_a_platform(text: str) -> bool:
    lowered = text.lower()
    return any(name in lowered for name in PLATFORM_NAMES)


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda path: path.name)
def test_the_core_names_no_platform(path: Path) -> None:
    """No string the core says, and no name it uses, names a platform: it takes their words
    and rules from the PlatformKind it is given."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    named = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if _names_a_platform(node.value):
                named.append(repr(node.value)[:60])
        elif isinstance(node, ast.Name | ast.arg | ast.Attribute | ast.FunctionDef | ast.ClassDef):
            identifier = (
                getattr(node, "id", None) or getattr(node, "arg", None) or getattr(node, "attr", None)
            )
            identifier = identifier or getattr(node, "name", "")
            if _names_a_platform(identifier):
                named.append(identifier)
    assert not named, f"core/{path.name} names a platform: {named}"


MODULES_OUTSIDE_KINDS = [
    path for path in MODULES if path.relative_to(PACKAGE).parts[0] not in {"kinds", "emulators"}
]


@pytest.mark.parametrize("path", MODULES_OUTSIDE_KINDS, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_platform_name_is_compared_and_no_target_class_tested(path: Path) -> None:
    """Which platform a run is on is asked of its PlatformKind; only the module that opens
    targets tells their classes apart."""
    relative = path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                named = isinstance(side, ast.Constant) and isinstance(side.value, str)
                if named and side.value.lower() in PLATFORM_NAMES:
                    wrong.append(f"compares with {side.value!r} on line {node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and relative != TARGET_OPENER
            and "Target" in ast.unparse(node.args[1])
        ):
            wrong.append(f"tests a target class on line {node.lineno}")
    assert not wrong, f"{relative}: {wrong}"


WRITES = {"write_text", "write_bytes", "mkdir", "atomic_write_text", "atomic_write_bytes", "unlink", "rename"}


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda path: path.name)
def test_the_command_line_writes_no_file(path: Path) -> None:
    """Files are written by ops/, which owns each run; the command line only prints."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in WRITES:
                wrong.append(f"{called}() on line {node.lineno}")
            if called == "open" and any(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) and set(arg.value) & set("wax+")
                for arg in [*node.args[1:], *(keyword.value for keyword in node.keywords)]
            ):
                wrong.append(f"open() for writing on line {node.lineno}")
    assert not wrong, f"cli/{path.name} writes files: {wrong}"
