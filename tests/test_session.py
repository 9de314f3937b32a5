"""The session: choices, locks, effects, events, consequences, undo, snapshots, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simgame import Session, load_scenario
from simgame.scenario import Scenario
from simgame.session import play


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(Path(__file__).parent / "fixtures" / "mini.yaml")


def test_starts_at_the_start_scene_with_starting_values(mini: Scenario) -> None:
    s = Session(mini, seed=3)
    assert s.scene.id == "intro" and not s.is_over and s.clock == 0
    assert s.meters == {"housing": 40, "autonomy": 50}
    assert s.trust == {"mara": 50, "chen": 50, "okafor": 40}


def test_choose_applies_effects_and_returns_the_change(mini: Scenario) -> None:
    s = Session(mini)
    entry = s.choose("ask")
    assert s.scene.id == "lawyer"
    assert entry.change.trust == (("mara", 5),) and entry.change.meters == (("autonomy", 10),)
    assert s.flags == {"asked"} and s.clock == 1
    assert dict(entry.meters) == {"housing": 40, "autonomy": 60}


def test_meters_and_trust_are_clamped(mini: Scenario) -> None:
    s = Session(mini)
    s.vars.meters["housing"] = 95
    s.choose("ask")
    entry = s.choose("refer")
    assert s.meters["housing"] == 100
    assert entry.change.meters == (("housing", 5),)  # +30 asked, +5 possible


def test_locked_choice_is_shown_with_its_reason_and_hidden_one_is_not(mini: Scenario) -> None:
    s = play(mini, ["advise"])  # okafor trust 40 -> 30, below the referral threshold of 35
    views = s.choices()
    assert [(v.id, v.available, v.locked_reason) for v in views] == [
        ("refer", False, "Ms Okafor no longer returns your calls."),
        ("wait", True, None),
    ]
    assert [c.id for c in s.available()] == ["wait"]


def test_choosing_a_locked_or_unknown_choice_is_a_value_error(mini: Scenario) -> None:
    s = play(mini, ["advise"])
    with pytest.raises(ValueError, match="choice 'refer' is locked in scene 'lawyer'"):
        s.choose("refer")
    with pytest.raises(ValueError, match="choice 'fly' is not available in scene 'lawyer'"):
        s.choose("fly")


def test_delayed_consequence_applies_on_entering_a_later_scene(mini: Scenario) -> None:
    s = Session(mini)
    s.choose("promise")
    assert s.trust["mara"] == 50 + 3 - 15
    kinds = [(e.kind, e.target) for e in s.log]
    assert ("consequence", "promise_breaks") in kinds


def test_event_fires_when_the_clock_passes_the_deadline(mini: Scenario) -> None:
    s = play(mini, ["advise"])  # 2 days
    s.choose("wait")  # 2 more: clock 4 >= 3, the event sends the story to the hearing
    assert s.scene.id == "hearing"
    assert s.log[-1].kind == "event_fired" and s.log[-1].target == "deadline"
    s.choose("go")
    assert s.is_over and s.ending is not None and s.ending.band == "worse"


def test_routing_reaches_the_ending_the_state_earns(mini: Scenario) -> None:
    good = play(mini, ["ask", "refer", "good"])
    assert good.ending is not None and good.ending.band == "much_better"
    assert good.log[-1].kind == "ended"
    with pytest.raises(ValueError, match="the scenario has ended"):
        good.choose("good")


def test_undo_restores_state_and_keeps_the_abandoned_branch(mini: Scenario) -> None:
    s = Session(mini)
    s.choose("promise")
    s.undo()
    assert s.scene.id == "intro" and s.trust["mara"] == 50 and s.flags == frozenset() and s.clock == 0
    s.choose("ask")
    assert s.path == ("intro.ask",)
    undone = [e for e in s.log if e.kind == "undone"]
    assert len(undone) == 1 and undone[0].abandoned == ("intro.promise",)
    # the consequence fired on the abandoned branch may fire again on a new one
    s.undo()
    s.choose("promise")
    assert s.trust["mara"] == 50 + 3 - 15


def test_undo_with_nothing_to_undo(mini: Scenario) -> None:
    with pytest.raises(ValueError, match="no decision to undo"):
        Session(mini).undo()


def test_snapshot_round_trips_through_json_and_replays(mini: Scenario) -> None:
    s = Session(mini, seed=9)
    s.choose("promise")
    s.undo()
    s.choose("ask", t=12.5)
    snap = json.loads(s.to_json())
    r = Session.restore(mini, snap)
    assert (r.state, r.meters, r.trust, r.flags, r.clock, r.path) == (
        s.state,
        s.meters,
        s.trust,
        s.flags,
        s.clock,
        s.path,
    )
    assert [e.kind for e in r.log] == [e.kind for e in s.log]
    assert [e.t for e in r.log if e.kind == "choice_made"] == [None, 12.5]


def test_restore_refuses_another_scenario_or_format(mini: Scenario) -> None:
    snap = Session(mini).snapshot()
    with pytest.raises(ValueError, match="different version"):
        Session.restore(mini, {**snap, "format": 99})
    with pytest.raises(ValueError, match="is for scenario 'other'"):
        Session.restore(mini, {**snap, "scenario": {"id": "other"}})
    with pytest.raises(ValueError, match="damaged"):
        Session.restore(mini, {**snap, "actions": [42]})


def test_lenient_restore_keeps_what_it_can(mini: Scenario) -> None:
    snap = play(mini, ["ask", "refer"]).snapshot()
    snap["actions"][1] = "lawyer.removed_choice"
    s = Session.restore(mini, snap, lenient=True)
    assert s.path == ("intro.ask",)
    with pytest.raises(ValueError):
        Session.restore(mini, snap)


def test_same_seed_and_choices_give_the_same_log(mini: Scenario) -> None:
    a = play(mini, ["advise", "wait", "go"], seed=4)
    b = play(mini, ["advise", "wait", "go"], seed=4)
    assert [e.to_json() for e in a.log] == [e.to_json() for e in b.log]


def test_sessions_share_one_machine_and_do_not_leak_into_each_other(mini: Scenario) -> None:
    a, b = Session(mini), Session(mini)
    a.choose("advise")
    assert b.scene.id == "intro" and b.trust["okafor"] == 40
    assert a._machine is b._machine
