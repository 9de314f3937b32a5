"""Golden files: compare output with a reviewed file; SIMGAME_UPDATE_GOLDEN=1 rewrites it (then review the diff)."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_matches_golden(text: str, name: str) -> None:
    """Compare `text` with tests/golden/<name>."""
    path = GOLDEN / name
    if os.environ.get("SIMGAME_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with SIMGAME_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")
