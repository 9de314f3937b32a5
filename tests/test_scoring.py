"""Scoring: outcome bands, trust over time, competency evidence; expected values worked by hand.

`scenario_text` builds small scenarios inline; the records, report and xAPI tests import it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simgame import compile_source, load_scenario
from simgame.scenario import Meter, Scenario
from simgame.scoring import (
    BREACH_WEIGHT,
    competency_band,
    gas_t_score,
    level_band,
    meter_level,
    process_outcome_flag,
    score_session,
)
from simgame.session import Session, play

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"

_HEAD = """\
format: 1
id: {id}
title: "{title}"
summary: "An inline test scenario."
setting: "Test room"
minutes: 2
version: "0.1.0"
authors: ["tests"]
jurisdiction: {{name: "Nowhere (fictional)", rules: ["Tests only."]}}
role: "You are the social worker."
objectives: ["Work with the team."]
fiction_contract: "Simplified."
client: {{id: kim, name: "Kim", about: "A client.", goals: ["Be safe"], trust: 50}}
team:
  - {{id: nurse, name: "Nurse Ode", profession: "Nurse", trust: 50}}
meters:
  - {{id: safety, label: "Safety", start: 50, expected: 50}}
start: {start}
"""


def scenario_text(scenes: str, *, id: str = "inline", title: str = "Inline", start: str = "meet") -> str:
    """A complete scenario file around the given `scenes:` block (YAML, unindented)."""
    return _HEAD.format(id=id, title=title, start=start) + textwrap.dedent(scenes)


def inline(scenes: str, **kw: str) -> Scenario:
    return compile_source(scenario_text(scenes, **kw), filename="inline.yaml")


# A one-decision scenario where the breach happens to end well and the expert move ends badly.
LUCK = """\
scenes:
  - id: meet
    text: "The nurse has a concern."
    choices:
      - id: consult
        text: "Ask the nurse and the client together."
        tags: [team_functioning, client_centred_care]
        effects: {trust: {nurse: 5}, meters: {safety: -30}}
        next: bad_end
      - id: bypass
        text: "Act alone and tell nobody."
        tags: [collaborative_leadership]
        breach: "going around the team"
        effects: {trust: {nurse: -20}, meters: {safety: 40}}
        next: good_end
    expert: {choice: consult, why: "Shared decisions hold."}
  - id: good_end
    ending: {band: better, title: "Safe, by luck"}
  - id: bad_end
    ending: {band: worse, title: "Not safe yet"}
"""


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(MINI)


# --- outcome bands ---------------------------------------------------------------------------


def test_meter_level_is_relative_to_the_room_on_each_side_of_expected() -> None:
    m = Meter("h", "Housing", 0, 100, 40, 2.0, 80)
    assert meter_level(m, 80) == 0.0
    assert meter_level(m, 90) == pytest.approx(1.0)  # 10 of the 20 above expected
    assert meter_level(m, 100) == 2.0
    assert meter_level(m, 60) == pytest.approx(-0.5)  # 20 of the 80 below expected
    assert meter_level(m, 0) == -2.0


@pytest.mark.parametrize(
    ("level", "band"),
    [
        (0.0, "expected"),
        (0.49, "expected"),
        (0.5, "better"),
        (1.49, "better"),
        (1.5, "much_better"),
        (-0.49, "expected"),
        (-0.5, "worse"),
        (-1.5, "much_worse"),
        (-2.0, "much_worse"),
    ],
)
def test_level_band_rounds_half_away_from_zero(level: float, band: str) -> None:
    assert level_band(level) == band


def test_gas_t_score_matches_the_kiresuk_sherman_formula_by_hand() -> None:
    # levels (1, 0), weights (2, 1), rho 0.3: 50 + 10*2 / sqrt(0.7*5 + 0.3*9) = 58.03
    assert gas_t_score([1, 0], [2.0, 1.0]) == 58.03
    assert gas_t_score([0, 0], [1.0, 1.0]) == 50.0
    assert gas_t_score([-2], [1.0]) == 30.0


def test_expert_path_of_mini_scores_as_worked_by_hand(mini: Scenario) -> None:
    score = score_session(play(mini, ["ask", "refer", "good"]))
    housing, autonomy = score.outcome.meters
    assert (housing.value, housing.level, housing.band) == (70, 0.8, "better")  # 20/50*2
    assert (autonomy.value, autonomy.level, autonomy.band) == (60, 0.4, "expected")  # 10/50*2
    assert score.outcome.level == pytest.approx(0.6667)  # (2*0.8 + 1*0.4) / 3
    assert score.outcome.band == "better"
    assert score.outcome.t_score == 58.03
    assert score.outcome.ending is not None and score.outcome.ending.band == "much_better"
    assert score.outcome.scaled == 0.6667  # (level + 2) / 4, rounded to 4 places
    assert score.expert_matches == 2 and score.decision_points == 2
    assert score.process_score == 1.0 and score.process_band == "mastery"
    bands = {d.domain.tag: d.band for d in score.competencies}
    assert bands["client_centred_care"] == "mastery" and bands["referral"] == "mastery"
    assert bands["conflict_resolution"] is None  # not observed, not "minimal"
    assert score.flag is None and score.ended


# --- trust and breaches ----------------------------------------------------------------------


def test_trust_over_time_includes_delayed_consequences(mini: Scenario) -> None:
    score = score_session(play(mini, ["promise", "wait", "go"]))
    mara = next(t for t in score.trust if t.person == "mara")
    # +3 for the promise, then -15 when it breaks on entering the next scene: 50 -> 38
    assert mara.series == ((0, 50), (1, 38), (2, 38), (3, 38))
    assert (mara.start, mara.end, mara.low, mara.breaches) == (50, 38, 38, 1)
    assert [d.choice for d in score.breaches] == ["promise"]


def test_breach_weighs_more_than_a_good_act(mini: Scenario) -> None:
    score = score_session(play(mini, ["promise", "wait", "go"]))
    by_tag = {d.domain.tag: d for d in score.competencies}
    # communication: breach 0 x3, plus 'wait' as a sound non-expert option 0.5 x1 -> 0.5/4
    assert by_tag["communication"].score == pytest.approx(0.5 / (BREACH_WEIGHT + 1))
    assert by_tag["communication"].band == "minimal"
    # client-centred: missed the expert 'ask' (0 x1) and the breach (0 x3)
    assert by_tag["client_centred_care"].score == 0.0
    assert by_tag["referral"].score == 0.0  # missed the expert referral
    # pooled: 0.5 of weight 1 + 3 + 3 + 1 + 1 = 9
    assert score.process_score == pytest.approx(round(0.5 / 9, 4))
    assert score.outcome.ending is not None and score.outcome.ending.band == "worse"


def test_overstepping_is_evidence_against_role_clarification(mini: Scenario) -> None:
    score = score_session(play(mini, ["advise", "wait", "go"]))
    rc = next(d for d in score.competencies if d.domain.tag == "role_clarification")
    assert rc.score == 0.0 and rc.band == "minimal"
    assert any("oversteps" in e.reason for e in rc.evidence)
    assert [d.choice for d in score.oversteps] == ["advise"]


def test_sound_non_expert_choice_earns_partial_credit() -> None:
    sc = inline("""\
    scenes:
      - id: meet
        choices:
          - {id: best, text: "Best.", tags: [team_functioning], next: end}
          - {id: fair, text: "Fair.", tags: [communication], next: end}
        expert: {choice: best, why: "Because."}
      - id: end
        ending: {band: expected, title: "Done"}
    """)
    score = score_session(play(sc, ["fair"]))
    by_tag = {d.domain.tag: d for d in score.competencies}
    assert by_tag["communication"].score == 0.5 and by_tag["communication"].band == "developing"
    assert by_tag["team_functioning"].score == 0.0
    assert score.process_score == 0.25 and score.process_band == "minimal"


# --- undo ------------------------------------------------------------------------------------


def test_undone_choices_are_abandoned_and_do_not_count(mini: Scenario) -> None:
    s = Session(mini, seed=0)
    s.choose("promise")
    s.undo()
    s.choose("ask")
    s.choose("refer")
    s.choose("good")
    score = score_session(s)
    assert [d.choice for d in score.decisions] == ["ask", "refer", "good"]
    assert [(a.scene, a.choice) for a in score.abandoned] == [("intro", "promise")]
    # the abandoned branch carries its consequence too: +3 then -15 for Mara
    assert dict(score.abandoned[0].change.trust) == {"mara": -12}
    assert score.breaches == () and score.process_band == "mastery"
    assert next(t for t in score.trust if t.person == "mara").series == ((0, 50), (1, 55), (2, 55), (3, 55))


def test_undo_after_the_ending_reopens_the_story(mini: Scenario) -> None:
    s = play(mini, ["ask", "refer", "good"])
    s.undo()
    score = score_session(s)
    assert not score.ended and score.outcome.ending is None
    assert [d.choice for d in score.decisions] == ["ask", "refer"]


# --- process versus outcome ------------------------------------------------------------------


def test_lucky_outcome_after_a_breach_is_flagged() -> None:
    score = score_session(play(inline(LUCK), ["bypass"]))
    assert score.outcome.ending is not None and score.outcome.ending.band == "better"
    assert score.process_band == "minimal"
    assert score.flag == "good_outcome_poor_process"
    assert score.flag_text is not None and "good outcome" in score.flag_text.lower()


def test_poor_outcome_after_sound_process_is_flagged() -> None:
    score = score_session(play(inline(LUCK), ["consult"]))
    assert score.process_band == "mastery"
    assert score.flag == "poor_outcome_sound_process"
    # safety 50 -> 20: 30 of 50 below expected = -1.2, worse
    assert score.outcome.meters[0].level == -1.2 and score.outcome.band == "worse"


@pytest.mark.parametrize(
    ("band", "level", "flag"),
    [
        ("developing", 1, "good_outcome_poor_process"),
        ("developing", 0, None),
        ("competent", -1, "poor_outcome_sound_process"),
        ("competent", 2, None),
        (None, -2, None),
    ],
)
def test_process_outcome_flag_table(band: str | None, level: int, flag: str | None) -> None:
    assert process_outcome_flag(band, level) == flag  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "minimal"),
        (0.39, "minimal"),
        (0.4, "developing"),
        (0.65, "competent"),
        (0.849, "competent"),
        (0.85, "mastery"),
        (1.0, "mastery"),
    ],
)
def test_competency_band_thresholds(score: float, band: str) -> None:
    assert competency_band(score) == band


# --- the kept branch matches the session, on every shipped scenario ---------------------------

SCENARIOS = sorted(
    p for p in (Path(__file__).parent.parent / "scenarios").glob("*.yaml") if not p.name.endswith(".tests.yaml")
)


@pytest.mark.slow
@pytest.mark.parametrize("path", [MINI, *SCENARIOS], ids=lambda p: p.stem)
def test_kept_branch_and_final_values_match_the_session_under_random_undo(path: Path) -> None:
    import random

    from simgame.scoring import split_branches

    sc = load_scenario(path)
    for seed in range(25):
        rng = random.Random(seed)
        s = Session(sc, seed=seed)
        for _ in range(400):
            if s.can_undo and rng.random() < 0.2:
                s.undo()
                continue
            if s.is_over:
                break
            options = s.available()
            if not options:
                break
            s.choose(rng.choice(options).id)
        branch = split_branches(sc, s.log)
        assert [f"{d.scene}.{d.choice}" for d in branch.decisions] == list(s.path)
        assert branch.meters == s.meters and branch.trust == s.trust
        assert branch.ending_scene == (s.state if s.is_over else None)
        score = score_session(s)
        assert len(score.abandoned) == sum(e.kind == "undone" for e in s.log)
        for track in score.trust:
            assert track.end == s.trust[track.person]
