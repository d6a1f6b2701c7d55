"""Exit statuses: 1 for anything the user can fix, 3 for a bug in the tool (as pre-commit does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import cli
from reconciler.ops import validate as validate_module


def test_a_bug_exits_3_with_one_line_and_no_traceback(
    example_lab: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the tool")

    monkeypatch.setattr(validate_module, "load_repository", broken)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", str(example_lab)])
    assert exit_info.value.code == cli.EXIT_INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug in the tool" in err
    assert "Traceback" not in err


def test_bad_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", str(tmp_path)])
    assert exit_info.value.code == cli.EXIT_FAILED == 1
    assert "no exclusions/config.yaml" in capsys.readouterr().err
