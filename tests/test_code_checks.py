"""The architecture checks of `make test`: import contracts (.importlinter) and dead code (.ci/dead_code.py).

Each runs on the project (it holds) and on a small broken tree (it fails), so neither can pass vacuously.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _dead_code():
    spec = importlib.util.spec_from_file_location("dead_code", ROOT / ".ci" / "dead_code.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_project_has_no_dead_code_outside_the_whitelist():
    assert _dead_code().findings() == []


def test_dead_code_is_reported_and_whitelisted_or_framework_names_are_not(tmp_path):
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/services.py": (
                "def used() -> int:\n    return 1\n\n\n"
                "def forgotten() -> int:\n    return used()\n\n\n"
                "def template_only() -> int:\n    return 2\n\n\n"
                "class Command:\n    def handle(self):\n        return None\n"
            ),
            "app/migrations/0001_initial.py": "def only_from_a_migration():\n    return None\n",
            "whitelist.py": "template_only\n",
        },
    )
    found = _dead_code().findings(root=tmp_path, packages=["app"], whitelist=tmp_path / "whitelist.py")
    assert found == ["app/services.py:5: unused function 'forgotten'"]


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    _write(
        tmp_path,
        {
            ".importlinter": (
                "[importlinter]\nroot_packages =\n    upper\n    lower\n\n"
                "[importlinter:contract:layers]\nname = layers\ntype = layers\n"
                "layers =\n    upper\n    lower\n"
            ),
            "upper/__init__.py": "from lower import core  # noqa: F401\n",
            "lower/__init__.py": "",
            "lower/core.py": "",
            "lower/hidden.py": "def call():\n    from upper import views  # noqa: F401\n",
            "upper/views.py": "",
        },
    )
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "lower.hidden -> upper.views" in result.stdout
