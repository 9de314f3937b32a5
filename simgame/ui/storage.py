"""Where the game keeps its files, and how it writes them without ever leaving half a file.

Everything here is plain files: the autosave and the settings are small JSON documents,
written atomically (a temp file in the same folder, flushed and fsynced, then `os.replace`),
so a crash or a power cut leaves either the old file or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Final

import platformdirs

log = logging.getLogger(__name__)

TMP_PREFIX: Final = ".tmp-"
AUTOSAVE: Final = "autosave.json"
SETTINGS: Final = "settings.json"
SAVE_FORMAT: Final = 1
TEXT_SIZES: Final = (100, 125, 150, 175, 200)


def data_dir() -> Path:
    """`$SIMGAME_HOME` when set (tests, portable installs), else the platform's data folder."""
    home = os.environ.get("SIMGAME_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir("simgame"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_scenarios_dir() -> Path:
    """The folder where a trainer drops their own scenario files."""
    path = data_dir() / "scenarios"
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def clean_temp_files(folder: Path) -> list[Path]:
    """Remove temp files left by a process killed mid-write; returns what was removed."""
    removed = []
    for p in folder.glob(TMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed


def move_aside(path: Path) -> Path:
    """Rename a file that cannot be read to `<name>.corrupt-N<suffix>` (never delete it)."""
    n = 1
    while True:
        target = path.with_name(f"{path.stem}.corrupt-{n}{path.suffix}")
        if not target.exists():
            path.rename(target)
            return target
        n += 1


@dataclass(slots=True)
class Settings:
    """The player's display preferences; persisted as JSON beside the autosave."""

    text_size: int = 100
    """Percent, one of TEXT_SIZES."""
    high_contrast: bool = False
    reduced_motion: bool = False
    fullscreen: bool = False

    @property
    def scale(self) -> float:
        return self.text_size / 100

    @classmethod
    def load(cls, folder: Path) -> Settings:
        """The saved settings, or the defaults when there are none or they cannot be read."""
        path = folder / SETTINGS
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            log.warning("settings file %s cannot be read; using defaults", path)
            return cls()
        s = cls()
        if isinstance(raw, dict):
            for f in fields(cls):
                value = raw.get(f.name)
                if isinstance(value, type(getattr(s, f.name))):
                    setattr(s, f.name, value)
        s.text_size = min(TEXT_SIZES, key=lambda t: abs(t - s.text_size))
        return s

    def save(self, folder: Path) -> None:
        atomic_write_text(folder / SETTINGS, json.dumps(asdict(self), indent=1) + "\n")


@dataclass(frozen=True, slots=True)
class SaveGame:
    """An autosave: which scenario file, which mode, and the session's snapshot."""

    scenario_path: str
    mode: str
    snapshot: dict[str, Any]
    title: str = ""
    record_uid: str = ""
    """The learning-records session this playthrough writes to, so a resumed game carries on
    the same record instead of starting a second one."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": SAVE_FORMAT,
                "scenario_path": self.scenario_path,
                "mode": self.mode,
                "title": self.title,
                "snapshot": self.snapshot,
                "record_uid": self.record_uid,
            },
            ensure_ascii=False,
            indent=1,
        )


class CorruptSave(Exception):
    """The autosave could not be read; `moved_to` is where the unreadable file now lives."""

    def __init__(self, moved_to: Path, reason: str) -> None:
        super().__init__(f"the last save could not be read ({reason}); it was kept as {moved_to.name}")
        self.moved_to = moved_to
        self.reason = reason


def write_autosave(folder: Path, save: SaveGame) -> None:
    atomic_write_text(folder / AUTOSAVE, save.to_json())


def read_autosave(folder: Path) -> SaveGame | None:
    """The autosave, or None when there is none.

    Raises:
        CorruptSave: the file exists but is not a save this version reads; it has been
            renamed out of the way so that the game can start.
    """
    path = folder / AUTOSAVE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CorruptSave(move_aside(path), f"not valid JSON: {exc}") from None
    ok = (
        isinstance(raw, dict)
        and raw.get("format") == SAVE_FORMAT
        and isinstance(raw.get("scenario_path"), str)
        and raw.get("mode") in ("learning", "assessment")
        and isinstance(raw.get("snapshot"), dict)
    )
    if not ok:
        raise CorruptSave(move_aside(path), "not a simgame save of a known format")
    uid = raw.get("record_uid")
    return SaveGame(
        raw["scenario_path"], raw["mode"], raw["snapshot"], str(raw.get("title") or ""),
        uid if isinstance(uid, str) else "",
    )


def discard_unreadable(folder: Path, reason: str) -> CorruptSave:
    """Move an autosave aside that parsed but could not be replayed (e.g. its scenario changed)."""
    return CorruptSave(move_aside(folder / AUTOSAVE), reason)
