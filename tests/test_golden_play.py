"""Golden playthroughs of the small example scenario: the whole log, compared with a reviewed file.

Set SIMGAME_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then review the diff.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from golden import assert_matches_golden

from simgame import load_scenario
from simgame.session import play

CASES = {
    "mini_expert": ["ask", "refer", "good"],
    "mini_promise_then_undo": ["promise", "undo", "ask", "refer", "good"],
    "mini_deadline": ["advise", "wait", "go"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_playthrough_matches_golden(name: str) -> None:
    sc = load_scenario(FIXTURES / "mini.yaml")
    steps = CASES[name]
    session = play(sc, [])
    for step in steps:
        if step == "undo":
            session.undo()
        else:
            session.choose(step)
    got = {
        "scenario": sc.id,
        "steps": steps,
        "log": [e.to_json() for e in session.log],
        "final": {
            "scene": session.state,
            "meters": session.meters,
            "trust": session.trust,
            "flags": sorted(session.flags),
            "clock": session.clock,
        },
    }
    assert_matches_golden(json.dumps(got, indent=1) + "\n", f"playthroughs/{name}.json")
