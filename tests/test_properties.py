"""Property tests: random play never breaks the rules; the loader only ever raises ScenarioError."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, MINIMAL, SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simgame import ScenarioError, Session, compile_source, load_scenario
from simgame.scenario import TRUST_MAX, TRUST_MIN, Scenario


def _loadable() -> list[Path]:
    paths = [FIXTURES / "mini.yaml", *sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.endswith(".tests.yaml"))]
    ok = []
    for p in paths:
        try:
            load_scenario(p)
            ok.append(p)
        except ScenarioError:
            pass  # test_content reports invalid shipped files; here we need playable ones
    return ok


PLAYABLE = _loadable()
_CACHE: dict[Path, Scenario] = {}


def scenario(path: Path) -> Scenario:
    if path not in _CACHE:
        _CACHE[path] = load_scenario(path)
    return _CACHE[path]


def check_invariants(sc: Scenario, s: Session) -> None:
    for m in sc.meters:
        assert m.min <= s.meters[m.id] <= m.max, (m.id, s.meters[m.id])
    for p in sc.people:
        assert TRUST_MIN <= s.trust[p.id] <= TRUST_MAX


@pytest.mark.parametrize("path", PLAYABLE, ids=lambda p: p.stem)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_random_play_with_undo_keeps_invariants_and_ends(path: Path, data: st.DataObject, seed: int) -> None:
    sc = scenario(path)
    s = Session(sc, seed=seed)
    undos_left = 5  # hypothesis favours small draws, so unbounded undo could loop forever
    for _ in range(400):
        if s.is_over:
            break
        options = s.available()
        assert options, f"stuck in scene {s.state!r}"
        if s.can_undo and undos_left and data.draw(st.integers(0, 9)) == 0:
            undos_left -= 1
            s.undo()
        else:
            s.choose(data.draw(st.sampled_from(options)).id)
        check_invariants(sc, s)
    assert s.is_over, f"no ending after 400 choices (at {s.state!r})"
    replayed = Session.restore(sc, s.snapshot())
    assert (replayed.state, replayed.meters, replayed.trust, replayed.path) == (s.state, s.meters, s.trust, s.path)
    # undo restores exactly: playing only the kept branch, with no undo, ends in the same state
    fresh = Session(sc, seed=seed)
    for key in s.path:
        fresh.choose(key.split(".", 1)[1])
    assert (fresh.state, fresh.meters, fresh.trust, fresh.flags, fresh.clock, fresh.vars.visited) == (
        s.state,
        s.meters,
        s.trust,
        s.flags,
        s.clock,
        s.vars.visited,
    )


_KEYS = [
    "id",
    "text",
    "next",
    "choices",
    "scenes",
    "start",
    "ending",
    "band",
    "meters",
    "trust",
    "when",
    "effects",
    "team",
    "client",
    "format",
    "goals",
    "label",
    "title",
    "expert",
    "events",
]
_JUNK = st.one_of(
    st.text(max_size=8),
    st.integers(-5, 500),
    st.booleans(),
    st.none(),
    st.just("[1, {a: b}]"),
    st.just("&a x"),
    st.just("*a"),
    st.just("!!python/name:os.system"),
    st.just("{"),
    st.just("\t"),
)


@settings(max_examples=300, deadline=None)
@given(
    ops=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["del", "swap", "junk", "key"]), _JUNK), max_size=4)
)
def test_mutated_scenarios_only_ever_raise_located_scenario_errors(ops: list[tuple[int, str, object]]) -> None:
    lines = MINIMAL.splitlines()
    for pos, op, junk in ops:
        i = pos % len(lines)
        if op == "del":
            del lines[i]
        elif op == "swap":
            j = (pos // 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "junk":
            head, sep, _ = lines[i].partition(": ")
            lines[i] = f"{head}{sep or ': '}{junk}"
        else:
            lines[i] = lines[i].replace(_KEYS[pos % len(_KEYS)], str(junk), 1)
        if not lines:
            lines = ["x: 1"]
    try:
        compile_source("\n".join(lines) + "\n", filename="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.span is not None and issue.span.line >= 1 and issue.span.column >= 1, issue
