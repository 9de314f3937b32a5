"""The shipped scenarios meet the content requirements (issue #3), checked on the compiled scenarios."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import SCENARIOS

from simgame import load_scenario
from simgame.runner import expert_policy, play_out, random_policy
from simgame.scenario import BAND_LEVEL, Scenario

LAUNCH = ["dv_mlp", "school_team", "eviction"]
ALL = ["tutorial", *LAUNCH]


def load(name: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml")


def decisions(sc: Scenario) -> list:  # type: ignore[type-arg]
    return [s for s in sc.scenes.values() if s.is_decision]


def endings_reached(sc: Scenario) -> Counter[str]:
    """Endings reached by random play and by players who follow the expert with probability p."""
    seen: Counter[str] = Counter()
    for seed in range(400):
        seen[play_out(sc, random_policy, seed=seed).state] += 1
    for p in (0.3, 0.6, 0.85, 0.95):
        for seed in range(250):
            rng = random.Random(seed)
            s = play_out(
                sc, lambda s, rng=rng, p=p: expert_policy(s) if rng.random() < p else random_policy(s), seed=seed
            )
            seen[s.state] += 1
    return seen


@pytest.mark.parametrize("name", ALL)
def test_shipped_scenario_is_valid_without_warnings(name: str) -> None:
    sc = load(name)
    assert [str(w) for w in sc.warnings] == []
    assert "fictional" in sc.jurisdiction.lower() and sc.jurisdiction_rules
    assert sc.objectives and sc.content_notes and sc.fiction_contract and sc.role
    assert any("local" in r.name.lower() for r in sc.resources), "a local-resources placeholder"
    assert sc.debrief is not None, "PEARLS debrief questions"
    assert all(p.does and p.cannot for p in sc.team), "every role has its remit and limits"
    assert sc.client.goals


@pytest.mark.parametrize("name", ALL)
def test_every_decision_option_has_tags_feedback_and_an_expert_answer(name: str) -> None:
    sc = load(name)
    for scene in decisions(sc):
        assert scene.expert is not None and scene.expert.why
        for ch in scene.choices:
            assert ch.tags, f"{scene.id}.{ch.id} has no tags"
            assert ch.feedback and ch.feedback.outcome and ch.feedback.teaching, f"{scene.id}.{ch.id} has no feedback"
        assert any(ch.oversteps for ch in scene.choices), f"{scene.id} has no option that oversteps the role"
        assert not scene.choice(scene.expert.choice).oversteps


@pytest.mark.parametrize("name", LAUNCH)
def test_launch_scenario_shape(name: str) -> None:
    sc = load(name)
    ds = decisions(sc)
    assert 10 <= len(ds) <= 14
    assert all(3 <= len(d.choices) <= 4 for d in ds)
    assert len(sc.scenes) >= 35
    bands = {s.ending.band for s in sc.endings if s.ending}
    assert len(sc.endings) >= 4 and min(BAND_LEVEL[b] for b in bands) < 0 < max(BAND_LEVEL[b] for b in bands)
    for tag in ("role_clarification", "conflict_resolution", "referral"):
        assert sum(any(tag in c.tags for c in d.choices) for d in ds) >= 2, tag
    conditional = [c for s in sc.scenes.values() for c in s.choices if c.condition is not None and c.locked_reason]
    assert len(conditional) >= 3, "options that are open or locked by trust or flags"
    delayed = sum(len(s.consequences) for s in sc.scenes.values())
    assert delayed >= 2, "delayed consequences"


@pytest.mark.parametrize("name", LAUNCH)
def test_integrity_breaches_cost_more_than_good_acts_earn(name: str) -> None:
    sc = load(name)
    good = [d for s in decisions(sc) for c in s.choices if c.id == s.expert.choice for _, d in c.effects.trust if d > 0]  # type: ignore[union-attr]
    breaches = [c for s in sc.scenes.values() for c in s.choices if c.breach]
    assert breaches and good
    worst_loss = {}
    for c in breaches:
        losses = [d for _, d in c.effects.trust if d < 0]
        # a breach may cost trust when chosen or when it comes to light (a consequence reading its flag)
        for scene in sc.scenes.values():
            for cq in scene.consequences:
                if any(f in c.effects.set_flags for f in _flags(cq.condition)):
                    losses += [d for _, d in cq.effects.trust if d < 0]
        worst_loss[c.key] = min(losses, default=0)
    assert all(-loss > max(good) for loss in worst_loss.values()), worst_loss


def _flags(cond: object) -> set[str]:
    from simgame.conditions import flags_read

    return flags_read(cond)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ALL)
def test_expert_path_reaches_the_best_band(name: str) -> None:
    sc = load(name)
    s = play_out(sc, expert_policy)
    best = max(BAND_LEVEL[e.ending.band] for e in sc.endings if e.ending)
    assert s.ending is not None and BAND_LEVEL[s.ending.band] == best


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_ending_is_reached_and_random_play_reaches_several(name: str) -> None:
    sc = load(name)
    reached = endings_reached(sc)
    assert set(reached) == {e.id for e in sc.endings}
    randoms = {play_out(sc, random_policy, seed=seed).state for seed in range(500)}
    assert len(randoms) >= (3 if name == "tutorial" else 4)


@pytest.mark.parametrize("name", LAUNCH)
def test_some_right_choices_cost_someone_trust_in_the_short_term(name: str) -> None:
    sc = load(name)
    costly = [
        s.id
        for s in decisions(sc)
        for c in s.choices
        if c.id == s.expert.choice and any(d < 0 for _, d in c.effects.trust)
    ]  # type: ignore[union-attr]
    assert costly, "an expert choice that costs one person's trust"


def test_fixture_paths_exist() -> None:
    assert all((SCENARIOS / f"{n}.yaml").is_file() for n in ALL)
    assert Path(SCENARIOS).is_dir()


def test_shipped_scenario_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    from simgame.cli import main

    code = main(["test", str(SCENARIOS), "--random", "50"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().endswith("12 passed, 0 failed")
