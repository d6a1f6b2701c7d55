"""The tool as users install it: a wheel built from the sdist, in a fresh virtual environment, used
from a folder far from any source checkout.

The wheel is built once per test session (``python -m build`` from a copy of the source tree: first
the sdist, then the wheel from the unpacked sdist, so both must carry everything). The fresh
environment gets the tool only from that wheel; its third-party dependencies are borrowed from the
test environment through a ``.pth`` line, which adds their folder but not the editable install of
this source tree (a ``.pth`` file inside a folder added that way is never run). ``.ci/run`` does the
same with every dependency installed from the registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import PROJECT, clean_env, copy_example

SCHEMAS = sorted(path.name for path in (PROJECT / "schemas").glob("*.json"))


def test_the_packaged_schemas_are_the_top_level_schemas_byte_for_byte() -> None:
    packaged = PROJECT / "reconciler" / "schemas"
    assert sorted(path.name for path in packaged.glob("*.json")) == SCHEMAS
    for name in SCHEMAS:
        assert (packaged / name).read_bytes() == (PROJECT / "schemas" / name).read_bytes(), (
            f"reconciler/schemas/{name} differs from schemas/{name}: edit schemas/, then copy it "
            "with: cp schemas/*.json reconciler/schemas/"
        )


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel built from it, as (sdist, wheel)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(
        PROJECT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".ci",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".exclusions-local",
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    (sdist,) = (work / "dist").glob("*.tar.gz")
    (wheel,) = (work / "dist").glob("*.whl")
    return sdist, wheel


def fresh_environment(folder: Path, wheel: Path) -> Path:
    """A virtual environment with the wheel installed (not editable); returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    bin_folder = folder / "bin"
    site = subprocess.run(
        [str(bin_folder / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_folder / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return bin_folder


def run(bin_folder: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(PATH=os.pathsep.join([str(bin_folder), "/usr/bin", "/bin"]))
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(bin_folder / "exclusions"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_sdist_and_the_wheel_carry_the_schemas_and_the_templates(
    distributions: tuple[Path, Path],
) -> None:
    sdist, wheel = distributions
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    for name in SCHEMAS:
        assert f"reconciler/schemas/{name}" in in_wheel
        content = zipfile.ZipFile(wheel).read(f"reconciler/schemas/{name}")
        assert content == (PROJECT / "schemas" / name).read_bytes()
    for workflow in ("plan.yml", "apply.yml", "capture.yml"):
        assert f"reconciler/lab/templates/workflows/{workflow}" in in_wheel
    assert "reconciler/py.typed" in in_wheel
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"reconciler/schemas/{name}" for name in SCHEMAS} <= in_sdist


def test_a_new_lab_from_the_installed_wheel_plans_and_applies_with_no_source_checkout(
    distributions: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wheel = distributions
    bin_folder = fresh_environment(tmp_path / "venv", wheel)
    where = subprocess.run(
        [str(bin_folder / "python"), "-c", "import reconciler; print(reconciler.__file__)"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(tmp_path / "venv")), where  # the wheel's copy, not this source tree

    version = run(bin_folder, "--version", cwd=tmp_path)
    assert version.returncode == 0 and "exclusions, version 0.1.0" in version.stdout

    made = run(bin_folder, "init", "mylab", "--lab", "Decision Lab", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    lab = tmp_path / "mylab"
    assert run(bin_folder, "validate", cwd=lab).returncode == 0
    planned = run(bin_folder, "plan", "--detailed-exitcode", cwd=lab)
    assert planned.returncode == 2, planned.stdout + planned.stderr
    assert '+ create qualification type "Decision Lab: took part in an earlier study"' in planned.stdout
    applied = run(bin_folder, "apply", "--auto-approve", cwd=lab)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete" in applied.stdout
    again = run(bin_folder, "plan", "--detailed-exitcode", cwd=lab)
    assert again.returncode == 0 and "No changes." in again.stdout

    # The shipped example, whose local target has a seed (checked against the packaged seed schema).
    example = copy_example(tmp_path / "example")
    checked = run(bin_folder, "validate", cwd=example)
    assert checked.returncode == 0 and "valid: 5 studies" in checked.stdout, checked.stdout + checked.stderr

    # The local MTurk with a seed file that is not there: the error names the file, not the port.
    missing = run(bin_folder, "local", "serve", "--seed", "no-such-seed.yaml", cwd=lab)
    assert missing.returncode == 1
    assert "no-such-seed.yaml" in missing.stderr and "cannot serve" not in missing.stderr
