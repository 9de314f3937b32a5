"""The condition and effect registry: every operator, combinator and clamp."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from simgame import load_scenario
from simgame.conditions import (
    AllOf,
    AnyOf,
    Compare,
    FlagSet,
    Not,
    Visited,
    apply_effects,
    compile_condition,
    describe,
    flags_read,
)
from simgame.scenario import Effects, Vars


def v(**kw: object) -> Vars:
    base = Vars(meters={"housing": 40}, trust={"chen": 50}, flags={"asked"}, clock=3, visited={"intro"})
    for k, val in kw.items():
        setattr(base, k, val)
    return base


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("lt", 41, True),
        ("lt", 40, False),
        ("lte", 40, True),
        ("gt", 39, True),
        ("gt", 40, False),
        ("gte", 40, True),
        ("eq", 40, True),
        ("ne", 40, False),
    ],
)
def test_each_operator(op: str, value: int, expected: bool) -> None:
    assert compile_condition(Compare("meter", "housing", op, value))(v()) is expected


def test_sources_flags_visited_and_combinators() -> None:
    assert compile_condition(Compare("trust", "chen", "gte", 50))(v())
    assert compile_condition(Compare("clock", "", "gte", 3))(v())
    assert compile_condition(FlagSet("asked"))(v()) and not compile_condition(FlagSet("other"))(v())
    assert compile_condition(Visited("intro"))(v())
    both = AllOf((FlagSet("asked"), Not(FlagSet("other"))))
    either = AnyOf((FlagSet("nope"), Compare("clock", "", "lt", 1)))
    assert compile_condition(both)(v()) and not compile_condition(either)(v())
    assert flags_read(AllOf((both, either))) == {"asked", "other", "nope"}


def test_describe_uses_names_from_the_scenario() -> None:
    sc = load_scenario(FIXTURES / "mini.yaml")
    cond = AllOf((Compare("trust", "okafor", "gte", 35), Not(AnyOf((FlagSet("a"), FlagSet("b"))))))
    assert describe(cond, sc) == "trust of Ada Okafor ≥ 35 and not (a or b)"
    assert describe(Compare("clock", "", "lt", 3), sc) == "Days until the hearing < 3"


def test_effects_clamp_and_report_only_real_changes() -> None:
    sc = load_scenario(FIXTURES / "mini.yaml")
    state = sc.initial_vars()
    state.trust["mara"] = 98
    effects = Effects(meters=(("housing", -100),), trust=(("mara", 5), ("chen", 0)), set_flags=("x",), time=2)
    applied = apply_effects(effects, state, sc, {m.id: (m.min, m.max) for m in sc.meters})
    assert state.meters["housing"] == 0 and state.trust["mara"] == 100 and state.clock == 2
    assert applied.meters == (("housing", -40),) and applied.trust == (("mara", 2),) and applied.flags_set == ("x",)
