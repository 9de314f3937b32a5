# Prints every person of every valid shipped scenario (and the test fixture) as JSON, for
# generate.mjs. Run from the repository root: .venv/bin/python assets/portraits/people.py
import json
from pathlib import Path

from simgame import ScenarioError, load_scenario
from simgame.cli import scenario_files

people = []
for path in [*scenario_files(["scenarios"]), Path("tests/fixtures/mini.yaml")]:
    try:
        sc = load_scenario(path)
    except ScenarioError:
        continue
    people += [{"scenario": sc.id, "id": p.id, "name": p.name} for p in sc.people]
print(json.dumps(people))
