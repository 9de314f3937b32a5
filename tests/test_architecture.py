"""Boundaries that keep the core a plain library, and the style checks run as tests."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

import simgame

PACKAGE = ROOT / "simgame"


def test_core_imports_without_pygame() -> None:
    code = (
        "import sys, simgame, simgame.cli, simgame.runner, simgame.textplay; "
        "import simgame.commands as c; print('pygame' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def _imports(path: object) -> set[str]:
    tree = ast.parse(path.read_text())  # type: ignore[attr-defined]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_ui_package_imports_pygame_and_only_source_imports_yaml() -> None:
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        names = _imports(path)
        if not rel.startswith("ui/"):
            assert "pygame" not in names and "pygame_gui" not in names, rel
        if rel != "source.py":
            assert "yaml" not in names, rel


def test_core_never_reads_the_wall_clock_or_global_random() -> None:
    core = [
        "errors.py",
        "source.py",
        "schema.py",
        "compiler.py",
        "scenario.py",
        "conditions.py",
        "session.py",
        "runner.py",
    ]
    for name in core:
        text = (PACKAGE / name).read_text()
        for banned in ("time.time(", "datetime.now(", "time.monotonic(", "random.random(", "random.choice("):
            assert banned not in text, f"{name} uses {banned}"


def test_no_eval_exec_pickle_or_unsafe_yaml_anywhere() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
                assert name not in {"eval", "exec", "unsafe_load", "full_load"}, f"{path}:{node.lineno}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] in {"pickle", "marshal", "shelve"} for m in mods), path


def test_public_api_is_exactly_this() -> None:
    assert sorted(simgame.__all__) == [
        "Issue",
        "LogEntry",
        "Scenario",
        "ScenarioError",
        "Session",
        "Span",
        "__version__",
        "compile_source",
        "load_scenario",
    ]


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    assert ruff, "ruff is in the test extras: pip install -e '.[test]'"
    proc = subprocess.run([ruff, "check", "simgame", "tests", "bench"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "simgame"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_core_doctests_pass() -> None:
    import doctest

    from simgame import compiler, errors, session

    for module in (errors, compiler, session):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
