"""Outcome-space analysis, checked against scenarios worked out by hand and against Session itself."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from golden import assert_matches_golden

from simgame import analysis
from simgame.analysis import AbstractExplorer, Explorer, analyze, dominated_choices
from simgame.cli import main
from simgame.compiler import compile_source, load_scenario
from simgame.scenario import Scenario
from simgame.session import Session

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SCENARIOS = HERE.parent / "scenarios"


def _load(rel: str) -> Scenario:
    path = FIXTURES / rel
    return compile_source(path.read_bytes(), filename=path.name)


# --- hand-worked examples -------------------------------------------------------------------


def test_handworked_scenario_has_exactly_the_findings_worked_out_by_hand() -> None:
    result = analyze(_load("authoring/handworked.yaml"), without_tags=["role_clarification"])
    assert [(f.kind, f.severity, str(f.span)) for f in result.findings] == [
        ("dominated", "note", "handworked.yaml:43:9"),
        ("unreachable_scene", "warning", "handworked.yaml:68:5"),
    ]
    assert [(a.key, b.key) for a, b in result.dominated] == [("intake.clarify_less", "intake.clarify")]
    assert result.without_tags == {"role_clarification": {"good_end": False, "ok_end": True}}
    ex = result.exploration
    # intake; plan after each of the 3 choices; good_end after clarify and clarify_less; ok_end after all 3.
    assert (ex.complete, ex.states, ex.transitions) == (True, 9, 8)
    assert ex.endings["good_end"].meters == {"wellbeing": [50, 55]}
    assert ex.endings["ok_end"].meters == {"wellbeing": [40, 55]}
    assert ex.endings["good_end"].trust["nurse"] == [55, 60]
    assert ex.best is not None and ex.worst is not None
    assert (ex.best.ending, ex.best.score, ex.best.path) == ("good_end", 55, ("intake.clarify", "plan.joint_plan"))
    assert (ex.worst.ending, ex.worst.score, ex.worst.path) == ("ok_end", 40, ("intake.rush", "plan.go_alone"))


def test_dead_end_and_loop_without_way_out_are_reported_with_paths() -> None:
    result = analyze(_load("authoring/stuck.yaml"))
    assert [(f.kind, str(f.span), f.path) for f in result.findings] == [
        ("dead_end", "stuck.yaml:38:5", ("hub.wander",)),
        ("never_enabled", "stuck.yaml:41:9", ()),
        ("no_way_out", "stuck.yaml:45:5", ("hub.circle",)),
        ("no_way_out", "stuck.yaml:49:5", ("hub.circle", "trap.around")),
    ]
    assert str(result.findings[0]) == ("stuck.yaml:38:5: warning: scene 'corridor' can be reached with no "
                                       "choice available: the player is stuck (give one choice no 'when', "
                                       "or check the conditions)")


def test_never_reached_ending_is_reported_as_an_ending() -> None:
    text = (FIXTURES / "authoring" / "handworked.yaml").read_text(encoding="utf-8")
    text = text.replace("{trust: {nurse: {gte: 55}}}", "{trust: {nurse: {gte: 99}}}")
    result = analyze(compile_source(text, filename="h.yaml"))
    kinds = {(f.kind, f.message) for f in result.findings}
    assert ("ending_never_reached", "ending 'good_end' (much_better) is never reached") in kinds
    assert any(k == "never_enabled" and "'joint_plan'" in m for k, m in kinds)


def test_state_cap_stops_and_says_how_much_was_covered() -> None:
    result = analyze(_load("authoring/handworked.yaml"), max_states=3)
    assert not result.exploration.complete
    assert not result.exploration.exact  # the value-set search was tried too, and hit the cap
    assert result.exploration.states == 3
    [trunc] = [f for f in result.findings if f.kind == "truncated"]
    assert trunc.severity == "warning"
    assert trunc.message.startswith("exploration stopped at 3 states (")
    # a partial exploration must not claim that scenes are unreachable
    assert not [f for f in result.findings if f.kind in ("unreachable_scene", "ending_never_reached")]


def test_dominance_needs_same_destination_and_no_worse_effect() -> None:
    text = (FIXTURES / "authoring" / "handworked.yaml").read_text(encoding="utf-8")
    changed = text.replace("effects: {trust: {nurse: 5}}", "effects: {trust: {nurse: 5, mara: 1}}")
    assert dominated_choices(compile_source(changed, filename="h.yaml")) == []
    elsewhere = text.replace("effects: {trust: {nurse: 5}}\n        next: plan",
                             "effects: {trust: {nurse: 5}}\n        next: ok_end")
    assert dominated_choices(compile_source(elsewhere, filename="h.yaml")) == []


def test_analysis_json_matches_golden() -> None:
    result = analyze(_load("authoring/handworked.yaml"), without_tags=["role_clarification"])
    assert_matches_golden(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n",
                          "authoring/handworked.analysis.json")


def test_mini_analysis_json_matches_golden() -> None:
    result = analyze(_load("mini.yaml"), without_tags=["referral"])
    assert_matches_golden(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n",
                          "authoring/mini.analysis.json")


# --- agreement with Session -----------------------------------------------------------------

VISITS = """\
format: 1
id: visits
title: "Visits"
summary: "Visited conditions, a repeating event, consequences and a clock."
setting: "Test"
minutes: 1
version: "1.0.0"
authors: ["tests"]
jurisdiction: {name: "State of Columbia (fictional)", rules: ["Tests only."]}
role: "You."
objectives: ["Test."]
fiction_contract: "Test."
client: {id: mara, name: "Mara", about: "Test.", goals: ["Test"], trust: 50}
team: [{id: nurse, name: "Nurse", profession: "Nurse", trust: 50}]
meters: [{id: calm, label: "Calm", min: 0, max: 20, start: 10}]
clock: {label: "Hours", unit: hour, start: 0, deadline: 6}
start: hall
scenes:
  - id: hall
    consequences:
      - {id: back_again, when: {visited: [office]}, effects: {meters: {calm: -3}}, text: "Again."}
    choices:
      - {id: office, text: "Office.", effects: {time: 1, meters: {calm: 2}}, next: office}
      - {id: garden, text: "Garden.", effects: {time: 2, trust: {mara: 7}, set_flags: [aired]}, next: garden}
      - {id: leave, text: "Leave.", when: {visited: [garden]}, next: out}
    expert: {choice: office, why: "Test."}
  - id: office
    choices:
      - {id: back, text: "Back.", effects: {trust: {nurse: 9}}, next: hall}
      - {id: sulk, text: "Sulk.", effects: {meters: {calm: -4}, clear_flags: [aired]}, next: hall}
    expert: {choice: back, why: "Test."}
  - id: garden
    choices:
      - {id: back, text: "Back.", next: hall}
  - id: storm
    choices:
      - {id: shelter, text: "Shelter.", effects: {meters: {calm: 5}}, next: hall}
  - id: out
    ending: {band: expected, title: "Out"}
  - id: late
    ending: {band: worse, title: "Too late"}
events:
  - {id: rain, when: {all: [{flags: [aired]}, {meters: {calm: {lt: 12}}}]}, goto: storm, once: false}
  - {id: night, when: {clock: {gte: 6}}, goto: late}
"""


@pytest.mark.parametrize("name", ["mini", "visits", "stuck"])
def test_explorer_steps_exactly_like_session(name: str) -> None:
    sc = compile_source(VISITS, filename="visits.yaml") if name == "visits" else (
        _load("mini.yaml") if name == "mini" else _load("authoring/stuck.yaml"))
    explorer = Explorer(sc)
    explored = Explorer(sc).explore()
    assert explored.complete
    rng = random.Random(7)
    for seed in range(150):
        session = Session(sc, seed=seed)
        st = explorer.initial()
        for _ in range(25):
            assert st.scene == session.state
            assert st.meters == tuple(session.meters.values())
            assert st.trust == tuple(session.trust.values())
            live = explorer.live[st.scene]
            assert st.clock == (min(session.clock, explorer.clock_cap) if live.clock else 0)
            assert st.flags == session.flags & live.flags
            options = session.available()
            assert [c.key for c in explorer.available(st)] == [c.key for c in options]
            if session.is_over or not options:
                break
            choice = options[rng.randrange(len(options))]
            session.choose(choice.id)
            st = explorer.step(st, choice)
        if session.is_over:
            stats = explored.endings[session.state]
            for key, value in session.meters.items():
                lo, hi = stats.meters[key]
                assert lo <= value <= hi


def test_visits_scenario_explores_its_loops_completely() -> None:
    result = analyze(compile_source(VISITS, filename="visits.yaml"))
    ex = result.exploration
    assert ex.complete
    assert ex.endings["late"].states > 0 and ex.endings["out"].states > 0
    assert ex.no_way_out == {} and ex.dead_ends == {}


# --- the command ----------------------------------------------------------------------------


def test_analyze_command_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "authoring" / "handworked.yaml")
    assert main(["analyze", path]) == 0
    assert main(["analyze", path, "--strict"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:68:5: warning: scene 'archive' is never reached (nor its 1 choice)" in out
    assert "best outcome: good_end (much_better, weighted meters 55): intake.clarify > plan.joint_plan" in out


def test_analyze_command_without_tag_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "authoring" / "handworked.yaml")
    assert main(["analyze", path, "--without-tag", "role_clarification"]) == 0
    assert "without role_clarification: still reachable: ok_end; lost: good_end" in capsys.readouterr().out
    assert main(["analyze", path, "--json", "--max-states", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is False and data["states"] == 2


def test_analyze_command_reports_load_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\n", encoding="utf-8")
    assert main(["analyze", str(bad)]) == 1
    assert f"{bad}:1:1: error:" in capsys.readouterr().out


SHIPPED = sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.endswith(".tests.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_analyzes_clean_in_strict_mode(path: Path) -> None:
    result = analyze(load_scenario(path))
    assert result.exploration.complete
    assert [str(f) for f in result.warnings] == []


# --- the value-set over-approximation -------------------------------------------------------


@pytest.mark.parametrize("name", ["mini", "visits", "stuck", "handworked"])
def test_value_set_search_covers_everything_the_exact_search_finds(name: str) -> None:
    sc = {"mini": lambda: _load("mini.yaml"), "visits": lambda: compile_source(VISITS, filename="v.yaml"),
          "stuck": lambda: _load("authoring/stuck.yaml"),
          "handworked": lambda: _load("authoring/handworked.yaml")}[name]()
    exact = Explorer(sc).explore()
    approx = AbstractExplorer(Explorer(sc)).explore()
    assert exact.exact and not approx.exact and approx.complete
    # these small scenarios need no joint reasoning, so the approximation loses nothing here
    assert approx.reached_scenes == exact.reached_scenes
    assert approx.enabled_choices == exact.enabled_choices
    assert set(approx.dead_ends) == set(exact.dead_ends)
    assert set(approx.no_way_out) == set(exact.no_way_out)
    for sid, stats in exact.endings.items():
        bounds = approx.endings[sid]
        assert (bounds.states > 0) == (stats.states > 0)
        for key, (lo, hi) in stats.meters.items():
            assert bounds.meters[key][0] <= lo and hi <= bounds.meters[key][1]


def test_value_set_search_splits_on_events_and_joins_meter_values() -> None:
    sc = _load("mini.yaml")
    approx = AbstractExplorer(Explorer(sc)).explore()
    # poor_end is reached after refer (housing 70) and after the deadline (housing 30 or 40)
    assert approx.endings["poor_end"].meters["housing"] == [30, 70]
    assert approx.best is not None and approx.best.ending == "good_end" and not approx.best.exact


def test_large_scenario_switches_to_the_value_set_search_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "EXACT_BUDGET", 5)
    result = analyze(_load("mini.yaml"))
    assert not result.exploration.exact
    assert result.exploration.complete
    [note] = [f for f in result.findings if f.kind == "approximate"]
    assert note.severity == "note" and note.message.startswith("more than 5 distinct states")


def test_value_set_search_answers_without_tag_like_the_exact_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "EXACT_BUDGET", 1)
    result = analyze(_load("authoring/handworked.yaml"), without_tags=["role_clarification"])
    assert not result.exploration.exact
    assert result.without_tags == {"role_clarification": {"good_end": False, "ok_end": True}}
    assert [f.kind for f in result.findings] == ["approximate", "dominated", "unreachable_scene"]


@pytest.mark.parametrize("best", [True, False])
def test_beam_search_finds_real_playthroughs_that_replay_in_session(best: bool) -> None:
    for sc in (_load("mini.yaml"), _load("authoring/handworked.yaml"), compile_source(VISITS, filename="v.yaml")):
        exact = Explorer(sc).explore()
        found = analysis.search_outcome(Explorer(sc), best=best)
        target = exact.best if best else exact.worst
        assert found is not None and target is not None
        # these spaces are small enough for the beam to hold everything: it finds the optimum
        assert (found.band, found.score) == (target.band, target.score)
        session = Session(sc)
        for key in found.path:
            session.choose(key.split(".", 1)[1])
        assert (session.state, session.meters, session.trust) == (found.ending, found.meters, found.trust)


def test_approximate_report_pairs_bounds_with_a_found_playthrough(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(analysis, "EXACT_BUDGET", 3)
    assert main(["analyze", str(FIXTURES / "mini.yaml")]) == 0
    out = capsys.readouterr().out
    assert "best outcome: bounded by good_end (much_better, weighted meters at most 200)" in out
    assert ("  best playthrough found: good_end (much_better, weighted meters 200): "
            "intro.ask > lawyer.refer > end_check.good") in out


@pytest.mark.parametrize("rel", ["mini.yaml", "authoring/handworked.yaml", "authoring/stuck.yaml"])
def test_reached_scenes_lie_within_a_plain_walk_of_the_graph(rel: str) -> None:
    sc = _load(rel)
    seen, todo = {sc.start}, [sc.start]
    while todo:
        scene = sc.scenes[todo.pop()]
        targets = [c.next for c in scene.choices] + ([e.goto for e in sc.events] if scene.choices else [])
        for t in targets:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for explored in (Explorer(sc).explore(), AbstractExplorer(Explorer(sc)).explore()):
        assert explored.reached_scenes <= seen
