"""The fixed vocabulary of conditions and effects that scenario files may use (a registry, no eval).

A scenario names comparisons and flags as data; this module turns that data into small
closures. Nothing here looks up a Python name that came from a file: the operators are a
closed table, and every variable is read from `Vars` by a key the compiler has checked.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from simgame.scenario import TRUST_MAX, TRUST_MIN, Effects, Predicate, Scenario, Vars

OPERATORS: Final[dict[str, Callable[[int, int], bool]]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}
"""The comparison registry: the only operators a scenario can name."""

SYMBOLS: Final[dict[str, str]] = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "ne": "≠"}

Source = Literal["meter", "trust", "clock"]


@dataclass(frozen=True, slots=True)
class Compare:
    """`<source>.<id> <op> <value>`, e.g. trust.okafor >= 40."""

    source: Source
    id: str
    op: str
    value: int


@dataclass(frozen=True, slots=True)
class FlagSet:
    flag: str


@dataclass(frozen=True, slots=True)
class Visited:
    scene: str


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | FlagSet | Visited | AllOf | AnyOf | Not


def compile_condition(cond: Condition) -> Predicate:
    """A fast predicate over `Vars` for a condition tree."""
    match cond:
        case Compare(source="meter", id=key, op=op, value=value):
            fn = OPERATORS[op]
            return lambda v: fn(v.meters[key], value)
        case Compare(source="trust", id=key, op=op, value=value):
            fn = OPERATORS[op]
            return lambda v: fn(v.trust[key], value)
        case Compare(source="clock", op=op, value=value):
            fn = OPERATORS[op]
            return lambda v: fn(v.clock, value)
        case FlagSet(flag=flag):
            return lambda v: flag in v.flags
        case Visited(scene=scene):
            return lambda v: scene in v.visited
        case AllOf(items=items):
            tests = tuple(compile_condition(i) for i in items)
            return lambda v: all(t(v) for t in tests)
        case AnyOf(items=items):
            tests = tuple(compile_condition(i) for i in items)
            return lambda v: any(t(v) for t in tests)
        case Not(item=item):
            test = compile_condition(item)
            return lambda v: not test(v)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - exhaustive match


def describe(cond: Condition, scenario: Scenario | None = None) -> str:
    """A short human reading of a condition, for maps, analysis and default lock reasons."""

    def name(source: str, key: str) -> str:
        if scenario is None:
            return f"{source} {key}"
        if source == "trust":
            return f"trust of {scenario.person(key).name}"
        return scenario.meter(key).label

    match cond:
        case Compare(source="clock", op=op, value=value):
            label = scenario.clock.label if scenario and scenario.clock else "clock"
            return f"{label} {SYMBOLS[op]} {value}"
        case Compare(source=source, id=key, op=op, value=value):
            return f"{name(source, key)} {SYMBOLS[op]} {value}"
        case FlagSet(flag=flag):
            return flag
        case Visited(scene=scene):
            return f"visited {scene}"
        case AllOf(items=items):
            return " and ".join(_group(describe(i, scenario), i) for i in items)
        case AnyOf(items=items):
            return " or ".join(_group(describe(i, scenario), i) for i in items)
        case Not(item=item):
            return f"not {_group(describe(item, scenario), item)}"
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def _group(text: str, cond: Condition) -> str:
    return f"({text})" if isinstance(cond, AllOf | AnyOf) and len(cond.items) > 1 else text


def flags_read(cond: Condition) -> set[str]:
    """Every flag a condition reads."""
    match cond:
        case FlagSet(flag=flag):
            return {flag}
        case AllOf(items=items) | AnyOf(items=items):
            return set().union(*(flags_read(i) for i in items)) if items else set()
        case Not(item=item):
            return flags_read(item)
    return set()


@dataclass(frozen=True, slots=True)
class Applied:
    """The changes an effect actually made, after clamping to each range."""

    meters: tuple[tuple[str, int], ...] = ()
    trust: tuple[tuple[str, int], ...] = ()
    flags_set: tuple[str, ...] = ()
    flags_cleared: tuple[str, ...] = ()
    time: int = 0


def apply_effects(effects: Effects, v: Vars, scenario: Scenario, limits: dict[str, tuple[int, int]]) -> Applied:
    """Apply `effects` to `v` in place, clamping meters and trust, and say what changed.

    `limits` maps meter ids to (min, max); it is passed in so that the hot path does not
    search the scenario's meters on every choice.
    """
    meters: list[tuple[str, int]] = []
    for key, delta in effects.meters:
        lo, hi = limits[key]
        old = v.meters[key]
        new = min(hi, max(lo, old + delta))
        v.meters[key] = new
        if new != old:
            meters.append((key, new - old))
    trust: list[tuple[str, int]] = []
    for key, delta in effects.trust:
        old = v.trust[key]
        new = min(TRUST_MAX, max(TRUST_MIN, old + delta))
        v.trust[key] = new
        if new != old:
            trust.append((key, new - old))
    flags_set = tuple(f for f in effects.set_flags if f not in v.flags)
    v.flags.update(effects.set_flags)
    flags_cleared = tuple(f for f in effects.clear_flags if f in v.flags)
    v.flags.difference_update(effects.clear_flags)
    v.clock += effects.time
    return Applied(tuple(meters), tuple(trust), flags_set, flags_cleared, effects.time)
