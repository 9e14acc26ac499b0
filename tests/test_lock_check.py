"""`.ci/check_lock.py`: the lock files match pyproject.toml, and each kind of mismatch is caught."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check_lock():
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / ".ci" / "check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path):
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_lock_files_match_pyproject(capsys):
    assert _check_lock().main(ROOT) == 0
    assert "lock files match pyproject.toml" in capsys.readouterr().out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # a dependency added to pyproject.toml without `make lock`
        ("pyproject.toml", '"lxml>=5,<7",', '"lxml>=5,<7",\n    "attrs-not-locked>=1,<2",', "is not pinned"),
        # a range narrowed past the pinned version
        ("pyproject.toml", '"Django>=5.2,<5.3"', '"Django>=5.3,<5.4"', "outside pyproject's range"),
        # a dev tool added without `make lock`
        ("pyproject.toml", '"ruff>=0.6,<1",', '"ruff>=0.6,<1",\n    "mypy-not-locked>=1,<2",', "not pinned"),
        # an open range in the lock instead of a pin
        ("requirements.lock", "\ncelery==", "\ncelery>=", "not an exact pin"),
        # the dev lock drifting from the runtime pins
        (
            "requirements-dev.lock",
            "\nkombu==",
            "\nkombu==0.0.1\nkombu-old==",
            "differs from requirements.lock",
        ),
    ],
)
def test_a_mismatch_fails_the_check(project, capsys, file, old, new, message):
    _edit(project / file, old, new)

    assert _check_lock().main(project) == 1
    assert message in capsys.readouterr().out


def test_a_missing_lock_file_fails_the_check(project, capsys):
    (project / "requirements-dev.lock").unlink()

    assert _check_lock().main(project) == 1
    assert "missing" in capsys.readouterr().out
