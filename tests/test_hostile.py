"""Hostile scenario files: each gets a clear, located error in bounded time and memory, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from simgame import ScenarioError, load_scenario


def error_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value.issues[0])


def test_a_100_mb_file_is_refused_from_its_size_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: the loader must not read it to refuse it
    assert error_of(big) == f"{big}:1:1: error: the file is 100.0 MiB; scenario files may be at most 16 MiB"


def test_symlink_to_a_device_or_a_folder_is_not_a_file(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert error_of(link) == f"{link}:1:1: error: not a file"
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert error_of(folder) == f"{folder}:1:1: error: not a file"


def test_symlink_to_a_valid_scenario_loads(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(MINIMAL)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert load_scenario(link).id == "t"


def test_binary_junk(tmp_path: Path) -> None:
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(bytes(range(256)) * 64)
    assert error_of(junk).startswith(f"{junk}:1:1: error: the file contains NUL bytes")


def test_utf16_file_gets_an_encoding_error(tmp_path: Path) -> None:
    f = tmp_path / "utf16.yaml"
    f.write_bytes(MINIMAL.encode("utf-16"))
    assert error_of(f) == f"{f}:1:1: error: the file is UTF-16 text, not UTF-8 (save it as UTF-8 in your editor)"


def test_deep_nesting_does_not_crash_the_interpreter(tmp_path: Path) -> None:
    """libyaml segfaults on 100,000 levels; the guard must stop it first (run in a child to see a crash)."""
    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    code = f"from simgame.cli import main; raise SystemExit(main(['validate', {str(f)!r}]))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "nests more than 100 levels deep" in proc.stdout


def test_billion_laughs_file_is_refused_quickly_in_a_child_with_a_memory_cap(tmp_path: Path) -> None:
    lines = ["format: 1", "lol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n")
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        f"from simgame.cli import main; raise SystemExit(main(['validate', {str(f)!r}]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "anchors and aliases (&name, *name) are not allowed" in proc.stdout
