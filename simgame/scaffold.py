"""`simgame new`: a valid, commented starter scenario and a passing tests file, from templates in data/.

The starter is deliberately complete: it validates, analyses clean and its tests pass, so a
trainer starts from something that works and changes one thing at a time. Its first line
is the yaml-language-server modeline, so editors complete and check it from the start.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Final

SCHEMA_NAME: Final = "scenario.schema.json"


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What `new` wrote (or would write)."""

    scenario: Path
    tests: Path
    schema: Path
    schema_written: bool


def scenario_id(name: str) -> str:
    """A valid scenario id from what the trainer typed: "Home visit" -> "home_visit".

    >>> scenario_id("Home visit (2)")
    'home_visit_2'
    """
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise ValueError(f"{name!r} has no letters or digits to make an id from")
    return slug if slug[0].isalpha() else f"s_{slug}"


def find_schema(folder: Path) -> Path | None:
    """The project's docs/scenario.schema.json in this folder or above, if there is one."""
    for base in (folder, *folder.parents):
        candidate = base / "docs" / SCHEMA_NAME
        if candidate.is_file():
            return candidate
    return None


def _template(name: str) -> Template:
    return Template(resources.files("simgame.data").joinpath(name).read_text(encoding="utf-8"))


def new_scenario(name: str, folder: Path) -> Scaffold:
    """Write NAME.yaml and NAME.tests.yaml into `folder`, and a schema beside them if the
    project has none to point at.

    Raises:
        ValueError: the name gives no id.
        FileExistsError: a file would be overwritten (nothing is written then).
    """
    ident = scenario_id(name)
    scenario, tests = folder / f"{ident}.yaml", folder / f"{ident}.tests.yaml"
    for path in (scenario, tests):
        if path.exists():
            raise FileExistsError(f"{path} already exists; choose another name or folder")
    schema = find_schema(folder.resolve())
    write_schema = schema is None
    if schema is None:
        schema = folder / SCHEMA_NAME
        write_schema = not schema.exists()
    title = " ".join(name.replace("_", " ").split())
    values = {
        "id": ident, "file": scenario.name,
        "title": (title[:1].upper() + title[1:]).replace("\\", "\\\\").replace('"', '\\"'),
        "schema": Path(os.path.relpath(schema, folder.resolve())).as_posix(),
    }
    folder.mkdir(parents=True, exist_ok=True)
    scenario.write_text(_template("new_scenario.yaml").substitute(values), encoding="utf-8")
    tests.write_text(_template("new_scenario.tests.yaml").substitute(values), encoding="utf-8")
    if write_schema:
        from simgame.schema import json_schema

        schema.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    return Scaffold(scenario, tests, schema, write_schema)


__all__ = ["Scaffold", "find_schema", "new_scenario", "scenario_id"]
