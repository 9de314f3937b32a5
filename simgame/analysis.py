"""Outcome-space analysis: explore every reachable state of a scenario and report what authors must fix.

Scenarios are finite state machines over bounded variables, so instead of sampling
playthroughs we can enumerate them: a breadth-first search over states (scene, meters,
trust, flags, clock, fired events and consequences), merging identical states. That
answers questions sampling cannot: is a scene reachable at all, can the story get stuck,
which scores can each ending have, can the best ending be reached without a competency.

The step function replicates `Session.choose` exactly (effects, then events unless the
destination is an ending, then the destination's consequences); a test walks both side by
side. Two abstractions keep the space small without changing any answer:

* only the flags and visited scenes that some condition reads are kept, and
* the clock saturates just above the largest number any clock condition compares with
  (time only moves forward, so every later value answers every condition alike).
"""

from __future__ import annotations

import functools
import operator
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from simgame.conditions import (
    OPERATORS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    FlagSet,
    Not,
    Visited,
    apply_effects,
    describe,
    flags_read,
)
from simgame.errors import Span
from simgame.scenario import BAND_LEVEL, TRUST_MAX, TRUST_MIN, Choice, Effects, Scenario, Scene, Vars

DEFAULT_MAX_STATES: Final = 200_000
"""Enough for every hand-written scenario; a 1,000-scene synthetic one stops here in seconds."""

EXACT_BUDGET: Final = 20_000
"""Exact states tried before switching to the value-set search: a space past this size is
usually a long story whose every path has its own scores, where exact search would take minutes."""

Severity = Literal["warning", "note"]
Kind = Literal[
    "unreachable_scene", "ending_never_reached", "never_enabled", "dead_end", "no_way_out",
    "truncated", "dominated", "approximate",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of the analysis, printed as `file:line:col: severity: message`.

    Warnings are problems a player can meet (and fail `--strict`); notes are observations
    worth a look that may be intended, such as a deliberately poor choice.
    """

    kind: Kind
    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    path: tuple[str, ...] = ()
    """An example playthrough (choice keys) that shows the finding, where there is one."""

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.severity}: {self.message}{hint}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "severity": self.severity, "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "hint": self.hint, "path": list(self.path),
        }


@dataclass(frozen=True, slots=True)
class State:
    """One point of the state space, in the abstract form the explorer merges on."""

    scene: str
    meters: tuple[int, ...]
    trust: tuple[int, ...]
    flags: frozenset[str]
    clock: int
    visited: frozenset[str]
    fired: frozenset[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A reachable end state: its ending, its variables and a shortest path to it."""

    ending: str
    band: str
    score: float
    """Weighted sum of the meters: the tie-breaker within a band."""
    meters: dict[str, int]
    trust: dict[str, int]
    path: tuple[str, ...]
    exact: bool = True
    """False for the over-approximation: the values are bounds, and the path reaches the
    ending's situation but not necessarily with those values."""

    def to_json(self) -> dict[str, Any]:
        return {"ending": self.ending, "band": self.band, "score": self.score, "exact": self.exact,
                "meters": self.meters, "trust": self.trust, "path": list(self.path)}


@dataclass(slots=True)
class EndingStats:
    """Everything reached at one ending: how many end states, and each variable's range."""

    band: str
    states: int = 0
    meters: dict[str, list[int]] = field(default_factory=dict)
    trust: dict[str, list[int]] = field(default_factory=dict)

    def add(self, meters: dict[str, int], trust: dict[str, int]) -> None:
        self.states += 1
        for table, values in ((self.meters, meters), (self.trust, trust)):
            for key, value in values.items():
                rng = table.get(key)
                if rng is None:
                    table[key] = [value, value]
                else:
                    rng[0] = min(rng[0], value)
                    rng[1] = max(rng[1], value)

    def to_json(self) -> dict[str, Any]:
        return {
            "band": self.band, "reached": self.states > 0, "states": self.states,
            "meters": {k: {"min": v[0], "max": v[1]} for k, v in self.meters.items()},
            "trust": {k: {"min": v[0], "max": v[1]} for k, v in self.trust.items()},
        }


@dataclass(slots=True)
class Exploration:
    """The raw result of one breadth-first search."""

    complete: bool
    states: int
    expanded: int
    transitions: int
    reached_scenes: set[str]
    enabled_choices: set[str]
    endings: dict[str, EndingStats]
    best: Outcome | None
    worst: Outcome | None
    dead_ends: dict[str, tuple[str, ...]]
    """Scene -> a shortest path into a state there with no available choice."""
    no_way_out: dict[str, tuple[str, ...]]
    """Scene -> a shortest path into a state there from which no ending can be reached."""
    exact: bool = True
    """False when the value-set over-approximation was used (the exact space was too large)."""
    best_found: Outcome | None = None
    worst_found: Outcome | None = None
    """When not exact: real playthroughs found by beam search, inside the bounds of best/worst."""


@dataclass(slots=True)
class Analysis:
    """The full report of `analyze`."""

    scenario: Scenario
    exploration: Exploration
    findings: list[Finding]
    dominated: list[tuple[Choice, Choice]]
    without_tags: dict[str, dict[str, bool]]
    max_states: int

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_json(self) -> dict[str, Any]:
        sc, ex = self.scenario, self.exploration
        all_choices = [c for s in sc.scenes.values() for c in s.choices]
        return {
            "scenario": {"id": sc.id, "version": sc.version, "file": sc.path},
            "complete": ex.complete,
            "exact": ex.exact,
            "max_states": self.max_states,
            "states": ex.states,
            "expanded": ex.expanded,
            "transitions": ex.transitions,
            "scenes": {"total": len(sc.scenes), "reached": len(ex.reached_scenes)},
            "choices": {"total": len(all_choices), "enabled": len(ex.enabled_choices)},
            "findings": [f.to_json() for f in self.findings],
            "unreachable_scenes": [s for s in sc.scenes if s not in ex.reached_scenes],
            "unreachable_choices": [c.key for c in all_choices if c.scene not in ex.reached_scenes],
            "never_enabled_choices": [c.key for c in all_choices
                                      if c.scene in ex.reached_scenes and c.key not in ex.enabled_choices],
            "dead_ends": [{"scene": s, "path": list(p)} for s, p in ex.dead_ends.items()],
            "no_way_out": [{"scene": s, "path": list(p)} for s, p in ex.no_way_out.items()],
            "endings": {k: v.to_json() for k, v in ex.endings.items()},
            "best": ex.best.to_json() if ex.best else None,
            "worst": ex.worst.to_json() if ex.worst else None,
            "best_found": ex.best_found.to_json() if ex.best_found else None,
            "worst_found": ex.worst_found.to_json() if ex.worst_found else None,
            "dominated": [{"choice": a.key, "by": b.key} for a, b in self.dominated],
            "without_tags": self.without_tags,
        }


# --- the explorer -------------------------------------------------------------------------


def _conditions(scenario: Scenario) -> Iterator[Condition]:
    for scene in scenario.scenes.values():
        for ch in scene.choices:
            if ch.condition is not None:
                yield ch.condition
        for cq in scene.consequences:
            yield cq.condition
    for ev in scenario.events:
        yield ev.condition


def _walk(cond: Condition) -> Iterator[Condition]:
    yield cond
    if isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from _walk(item)
    elif isinstance(cond, Not):
        yield from _walk(cond.item)


@dataclass(frozen=True, slots=True)
class _Live:
    """What may still be read after a scene: the rest is dropped from states there, merging them."""

    flags: frozenset[str]
    visited: frozenset[str]
    fired: frozenset[str]
    clock: bool


def _liveness(scenario: Scenario) -> dict[str, _Live]:
    """For each scene, the flags, visited scenes, fired keys and clock that any later condition reads.

    Two states that differ only in something nothing will read again behave alike, so
    forgetting it is exact. In a branching story most flags matter for a few scenes only;
    forgetting them afterwards is what keeps long stories small enough to explore.
    """
    scenes = scenario.scenes
    gotos = [ev.goto for ev in scenario.events]
    succ = {sid: {c.next for c in sc.choices} | (set(gotos) if sc.choices else set())
            for sid, sc in scenes.items()}
    event_conds = [ev.condition for ev in scenario.events]

    def reads_of(conds: list[Condition]) -> tuple[frozenset[str], frozenset[str], bool]:
        nodes = [n for c in conds for n in _walk(c)]
        return (frozenset().union(*(flags_read(c) for c in conds)),
                frozenset(n.scene for n in nodes if isinstance(n, Visited)),
                any(isinstance(n, Compare) and n.source == "clock" for n in nodes))

    # a scene's consequences are read on entering it, before a state there exists; what is
    # read while there is its choices' conditions and, after a choice, the events'
    staying = {sid: reads_of([c.condition for c in sc.choices if c.condition is not None]
                             + (event_conds if sc.choices else []))
               for sid, sc in scenes.items()}
    entering = {sid: reads_of([cq.condition for cq in sc.consequences]) for sid, sc in scenes.items()}
    events = frozenset(ev.id for ev in scenario.events)
    out: dict[str, _Live] = {}
    for sid in scenes:
        later: set[str] = set()
        stack = list(succ[sid])
        while stack:
            t = stack.pop()
            if t not in later:
                later.add(t)
                stack.extend(succ[t] - later)
        ahead = [staying[sid], *(staying[t] for t in later), *(entering[t] for t in later)]
        cqs = frozenset(f"{t}.{cq.id}" for t in later for cq in scenes[t].consequences)
        out[sid] = _Live(frozenset().union(*(r[0] for r in ahead)), frozenset().union(*(r[1] for r in ahead)),
                         events | cqs, any(r[2] for r in ahead))
    return out


class Explorer:
    """Steps through abstract states exactly as `Session` steps through a playthrough.

    Public so that tests can walk it beside a `Session` and check that both agree.
    """

    def __init__(self, scenario: Scenario, *, without_tags: Iterable[str] = ()) -> None:
        self.scenario = scenario
        self.scenes = scenario.scenes
        self.meter_ids = tuple(m.id for m in scenario.meters)
        self.person_ids = tuple(p.id for p in scenario.people)
        self.limits = {m.id: (m.min, m.max) for m in scenario.meters}
        nodes = [n for c in _conditions(scenario) for n in _walk(c)]
        self.flags_read: frozenset[str] = frozenset().union(*(flags_read(c) for c in _conditions(scenario)))
        self.visited_read = frozenset(n.scene for n in nodes if isinstance(n, Visited))
        clock_values = [n.value for n in nodes if isinstance(n, Compare) and n.source == "clock"]
        start = scenario.clock.start if scenario.clock else 0
        self.clock_cap = max([start, *clock_values]) + 1
        self.live = _liveness(scenario)
        banned = frozenset(without_tags)
        self.offered: dict[str, tuple[Choice, ...]] = {
            sid: tuple(c for c in sc.choices if not banned.intersection(c.tags)) for sid, sc in self.scenes.items()
        }
        self._effects: dict[int, Effects] = {}

    def _trim(self, effects: Effects) -> Effects:
        """The effects without flags nobody reads (they cannot change what happens next)."""
        cached = self._effects.get(id(effects))
        if cached is None:
            keep = tuple(f for f in effects.set_flags if f in self.flags_read)
            cached = Effects(effects.meters, effects.trust, keep, effects.clear_flags, effects.time)
            self._effects[id(effects)] = cached
        return cached

    def _apply(self, effects: Effects, v: Vars) -> None:
        if not effects.is_empty:
            apply_effects(self._trim(effects), v, self.scenario, self.limits)

    def vars_of(self, st: State) -> Vars:
        return Vars(dict(zip(self.meter_ids, st.meters, strict=True)),
                    dict(zip(self.person_ids, st.trust, strict=True)),
                    set(st.flags), st.clock, set(st.visited))

    def _state(self, scene: str, v: Vars, fired: frozenset[str]) -> State:
        live = self.live[scene]
        return State(scene, tuple(v.meters.values()), tuple(v.trust.values()), live.flags.intersection(v.flags),
                     min(v.clock, self.clock_cap) if live.clock else 0, live.visited.intersection(v.visited),
                     live.fired & fired)

    def _enter(self, scene_id: str, v: Vars, fired: frozenset[str]) -> State:
        if scene_id in self.visited_read:
            v.visited.add(scene_id)
        for cq in self.scenes[scene_id].consequences:
            key = f"{scene_id}.{cq.id}"
            if key not in fired and cq.test(v):
                fired = fired | {key}
                self._apply(cq.effects, v)
        return self._state(scene_id, v, fired)

    def initial(self) -> State:
        """The state a new Session starts in (the start scene's consequences applied)."""
        return self._enter(self.scenario.start, self.scenario.initial_vars(), frozenset())

    def available(self, st: State, v: Vars | None = None) -> tuple[Choice, ...]:
        """The choices a player can take in `st` (minus any excluded by tag)."""
        v = v if v is not None else self.vars_of(st)
        return tuple(c for c in self.offered[st.scene] if c.test is None or c.test(v))

    def step(self, st: State, choice: Choice, v: Vars | None = None) -> State:
        """The state after taking `choice` in `st`: Session.choose without the log."""
        v = (v if v is not None else self.vars_of(st)).copy()
        self._apply(choice.effects, v)
        target = choice.next
        fired = st.fired
        if self.scenes[target].ending is None:
            for ev in self.scenario.events:
                if ev.once and ev.id in fired:
                    continue
                if ev.test(v):
                    if ev.once:
                        fired = fired | {ev.id}
                    self._apply(ev.effects, v)
                    target = ev.goto
                    break
        return self._enter(target, v, fired)

    def explore(self, max_states: int = DEFAULT_MAX_STATES) -> Exploration:
        """Breadth-first search of every reachable state, up to `max_states` distinct states."""
        first = self.initial()
        index: dict[State, int] = {first: 0}
        order: list[State] = [first]
        parent = array("l", [-1])
        via: list[str] = [""]
        src, dst = array("l"), array("l")
        dead: set[int] = set()
        endings = {s.id: EndingStats(s.ending.band) for s in self.scenario.endings if s.ending}
        enabled: set[str] = set()
        weights = tuple(m.weight for m in self.scenario.meters)
        best: tuple[tuple[int, float], int] | None = None
        worst: tuple[tuple[int, float], int] | None = None
        queue = deque([0])
        complete = True
        expanded = 0
        while queue:
            i = queue.popleft()
            st = order[i]
            scene = self.scenes[st.scene]
            expanded += 1
            if scene.ending is not None:
                v = self.vars_of(st)
                endings[scene.id].add(v.meters, v.trust)
                rank = (scene.ending.level, sum(w * m for w, m in zip(weights, st.meters, strict=True)))
                if best is None or rank > best[0]:
                    best = (rank, i)
                if worst is None or rank < worst[0]:
                    worst = (rank, i)
                continue
            v = self.vars_of(st)
            options = self.available(st, v)
            if not options:
                dead.add(i)
                continue
            for ch in options:
                enabled.add(ch.key)
                nxt = self.step(st, ch, v)
                j = index.get(nxt)
                if j is None:
                    if len(order) >= max_states:
                        complete = False
                        break
                    j = index[nxt] = len(order)
                    order.append(nxt)
                    parent.append(i)
                    via.append(ch.key)
                    queue.append(j)
                src.append(i)
                dst.append(j)
            if not complete:
                break

        def path(k: int) -> tuple[str, ...]:
            keys: list[str] = []
            while k > 0:
                keys.append(via[k])
                k = parent[k]
            return tuple(reversed(keys))

        def outcome(found: tuple[tuple[int, float], int] | None) -> Outcome | None:
            if found is None:
                return None
            st = order[found[1]]
            v = self.vars_of(st)
            band = self.scenes[st.scene].ending.band  # type: ignore[union-attr]
            return Outcome(st.scene, band, found[0][1], v.meters, v.trust, path(found[1]))

        reached = {st.scene for st in order}
        no_way_out: dict[str, tuple[str, ...]] = {}
        if complete:
            for k in sorted(_trapped(order, self.scenes, src, dst, dead)):
                no_way_out.setdefault(order[k].scene, path(k))
        dead_ends: dict[str, tuple[str, ...]] = {}
        for k in sorted(dead):
            dead_ends.setdefault(order[k].scene, path(k))
        return Exploration(complete, len(order), expanded, len(src), reached, enabled, endings,
                           outcome(best), outcome(worst), dead_ends, no_way_out)


def _trapped(order: list[State], scenes: Any, src: array[int], dst: array[int], dead: set[int]) -> set[int]:
    """States that can reach neither an ending nor a dead end: the story goes round for ever."""
    back: list[list[int]] = [[] for _ in order]
    for a, b in zip(src, dst, strict=True):
        back[b].append(a)
    escape = [k for k, st in enumerate(order) if scenes[st.scene].ending is not None or k in dead]
    seen = set(escape)
    stack = list(escape)
    while stack:
        for a in back[stack.pop()]:
            if a not in seen:
                seen.add(a)
                stack.append(a)
    return {k for k in range(len(order)) if k not in seen}


# --- the value-set over-approximation -----------------------------------------------------

Masks = tuple[int, ...]
"""One bit set per possible value of each meter, then each person's trust (bit k = min + k)."""

_Key = tuple[str, frozenset[str], int, frozenset[str], frozenset[str]]
"""The exact part of an abstract state: scene, flags, clock, visited (read ones), fired."""


_Refiner = Callable[[_Key, Masks], "Masks | None"]


class AbstractExplorer:
    """Explores the scenario keeping the discrete state exactly and each number as a set of values.

    Used when the exact state space is too large (a long story where every choice moves
    several meters has as many states as paths). Numbers are tracked per variable, not
    jointly, so the result over-approximates what players can reach: whatever it finds
    unreachable or never available is certainly so, while stuck states and loops are
    possible rather than proven, and each ending's ranges are bounds.
    """

    def __init__(self, explorer: Explorer) -> None:
        self.ex = explorer
        sc = explorer.scenario
        self.lows = tuple([m.min for m in sc.meters] + [TRUST_MIN] * len(sc.people))
        self.widths = tuple([m.max - m.min + 1 for m in sc.meters] + [TRUST_MAX - TRUST_MIN + 1] * len(sc.people))
        self.slot = {("meter", m.id): i for i, m in enumerate(sc.meters)}
        self.slot.update({("trust", p.id): len(sc.meters) + i for i, p in enumerate(sc.people)})
        self._sat: dict[tuple[int, str, int], int] = {}
        self._refiners: dict[tuple[int, bool], _Refiner] = {}
        self._events = [(ev, self._compile(ev.condition, False), self._compile(ev.condition, True))
                        for ev in sc.events]
        self._consequences = {
            sid: [(f"{sid}.{cq.id}", self._compile(cq.condition, False), self._compile(cq.condition, True),
                   cq.effects) for cq in scene.consequences]
            for sid, scene in sc.scenes.items()
        }

    # numbers as bit masks

    def _full(self, i: int) -> int:
        return (1 << self.widths[i]) - 1

    def _sat_mask(self, i: int, op: str, value: int) -> int:
        key = (i, op, value)
        mask = self._sat.get(key)
        if mask is None:
            fn, lo = OPERATORS[op], self.lows[i]
            mask = sum(1 << k for k in range(self.widths[i]) if fn(lo + k, value))
            self._sat[key] = mask
        return mask

    def _shift(self, i: int, mask: int, delta: int) -> int:
        """Add `delta` to every value, clamping at the ends as `apply_effects` does."""
        width = self.widths[i]
        if delta > 0:
            moved = mask << delta
            over = moved >> width
            moved &= self._full(i)
            return moved | (1 << (width - 1)) if over else moved
        if delta < 0:
            k = -delta
            under = mask & ((1 << k) - 1)
            moved = mask >> k
            return moved | 1 if under else moved
        return mask

    def _apply(self, effects: Effects, key: _Key, masks: Masks) -> tuple[_Key, Masks]:
        if effects.is_empty:
            return key, masks
        new = list(masks)
        for source, changes in (("meter", effects.meters), ("trust", effects.trust)):
            for ident, delta in changes:
                i = self.slot[(source, ident)]
                new[i] = self._shift(i, new[i], delta)
        scene, flags, clock, visited, fired = key
        kept = frozenset(f for f in effects.set_flags if f in self.ex.flags_read)
        flags = (flags | kept) - frozenset(effects.clear_flags)
        clock = min(clock + effects.time, self.ex.clock_cap)
        return (scene, flags, clock, visited, fired), tuple(new)

    # conditions: refine the masks to the values where a condition can hold

    def refine(self, cond: Condition, key: _Key, masks: Masks, negate: bool = False) -> Masks | None:
        """The masks narrowed to values where `cond` (or its negation) can hold; None if it cannot."""
        fn = self._refiners.get((id(cond), negate))
        if fn is None:
            fn = self._refiners[(id(cond), negate)] = self._compile(cond, negate)
        return fn(key, masks)

    def _compile(self, cond: Condition, negate: bool) -> _Refiner:
        """A closure for `refine`: compiled once per condition, because refining is the hot path."""
        match cond:
            case Compare(source="clock", op=op, value=value):
                test = OPERATORS[op]
                return lambda k, m: m if test(k[2], value) != negate else None
            case Compare(source=source, id=ident, op=op, value=value):
                i = self.slot[(source, ident)]
                sat = self._sat_mask(i, op, value)
                keep = self._full(i) & ~sat if negate else sat

                def compare(k: _Key, m: Masks) -> Masks | None:
                    x = m[i] & keep
                    if x == m[i]:
                        return m  # unchanged: lets a disjunction stop early
                    return (*m[:i], x, *m[i + 1:]) if x else None
                return compare
            case FlagSet(flag=flag):
                return lambda k, m: m if (flag in k[1]) != negate else None
            case Visited(scene=scene):
                return lambda k, m: m if (scene in k[3]) != negate else None
            case Not(item=item):
                return self._compile(item, not negate)
            case AllOf(items=items) | AnyOf(items=items):
                parts = tuple(self._compile(item, negate) for item in items)
                if isinstance(cond, AllOf) != negate:
                    def conjunction(k: _Key, m: Masks) -> Masks | None:
                        current = m
                        for part in parts:
                            narrowed = part(k, current)
                            if narrowed is None:
                                return None
                            current = narrowed
                        return current
                    return conjunction

                def disjunction(k: _Key, m: Masks) -> Masks | None:
                    found: list[Masks] = []
                    for part in parts:
                        r = part(k, m)
                        if r is m:
                            return m  # every other branch is narrower, so the union is m
                        if r is not None:
                            found.append(r)
                    if len(found) <= 1:
                        return found[0] if found else None
                    return tuple(_or(col) for col in zip(*found, strict=True))
                return disjunction
        raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover

    # stepping

    def _enter(self, scene: str, key: _Key, masks: Masks) -> list[tuple[_Key, Masks]]:
        _, flags, clock, visited, fired = key
        if scene in self.ex.visited_read:
            visited = visited | {scene}
        branches = [((scene, flags, clock, visited, fired), masks)]
        for cq_key, yes_fn, no_fn, effects in self._consequences[scene]:
            nxt: list[tuple[_Key, Masks]] = []
            for k, m in branches:
                if cq_key in k[4]:
                    nxt.append((k, m))
                    continue
                yes = yes_fn(k, m)
                if yes is not None:
                    nxt.append(self._apply(effects, (k[0], k[1], k[2], k[3], k[4] | {cq_key}), yes))
                no = no_fn(k, m)
                if no is not None:
                    nxt.append((k, no))
            branches = nxt
        live = self.ex.live[scene]
        return [((k[0], live.flags & k[1], k[2] if live.clock else 0, live.visited & k[3], live.fired & k[4]), m)
                for k, m in branches]

    def step(self, key: _Key, masks: Masks, choice: Choice) -> list[tuple[_Key, Masks]]:
        """Every abstract state taking `choice` can lead to (events and consequences may split it)."""
        if choice.condition is not None:
            refined = self.refine(choice.condition, key, masks)
            if refined is None:
                return []
            masks = refined
        key, masks = self._apply(choice.effects, key, masks)
        if self.ex.scenes[choice.next].ending is not None:
            return self._enter(choice.next, key, masks)
        out: list[tuple[_Key, Masks]] = []
        rest: Masks | None = masks
        for ev, yes_fn, no_fn in self._events:
            if rest is None:
                break
            if ev.once and ev.id in key[4]:
                continue
            yes = yes_fn(key, rest)
            if yes is not None:
                fired = key[4] | {ev.id} if ev.once else key[4]
                k2, m2 = self._apply(ev.effects, (key[0], key[1], key[2], key[3], fired), yes)
                out += self._enter(ev.goto, k2, m2)
            rest = no_fn(key, rest)
        if rest is not None:
            out += self._enter(choice.next, key, rest)
        return out

    def can_be_stuck(self, key: _Key, masks: Masks) -> bool:
        options = self.ex.offered[key[0]]
        current: Masks | None = masks
        for ch in options:
            if ch.condition is None:
                return False
            current = self.refine(ch.condition, key, current, negate=True) if current else None
            if current is None:
                return False
        return True

    def explore(self, max_states: int = DEFAULT_MAX_STATES) -> Exploration:
        """A worklist fixpoint: states are re-expanded whenever their value sets grow."""
        ex = self.ex
        v0 = ex.scenario.initial_vars()
        start_masks = tuple(1 << (x - lo) for x, lo in zip(
            [*v0.meters.values(), *v0.trust.values()], self.lows, strict=True))
        start: _Key = (ex.scenario.start, frozenset(), min(v0.clock, ex.clock_cap), frozenset(), frozenset())
        table: dict[_Key, Masks] = {}
        parent: dict[_Key, tuple[_Key | None, str]] = {}
        edges: dict[_Key, set[_Key]] = {}
        queue: deque[_Key] = deque()
        complete = True
        expanded = transitions = 0

        def add(k: _Key, m: Masks, src: _Key | None, via: str) -> bool:
            old = table.get(k)
            if old is None:
                if len(table) >= max_states:
                    return False
                table[k] = m
                parent[k] = (src, via)
                queue.append(k)
            else:
                joined = tuple(a | b for a, b in zip(old, m, strict=True))
                if joined != old:
                    table[k] = joined
                    queue.append(k)
            return True

        for k, m in self._enter(start[0], start, start_masks):
            add(k, m, None, "")
        enabled: set[str] = set()
        while queue and complete:
            k = queue.popleft()
            masks = table[k]
            expanded += 1
            if ex.scenes[k[0]].ending is not None:
                continue
            for ch in ex.offered[k[0]]:
                for k2, m2 in self.step(k, masks, ch):
                    enabled.add(ch.key)
                    transitions += 1
                    if not add(k2, m2, k, ch.key):
                        complete = False
                        break
                    edges.setdefault(k, set()).add(k2)
        return self._result(table, parent, edges, enabled, complete, expanded, transitions)

    def _result(self, table: dict[_Key, Masks], parent: dict[_Key, tuple[_Key | None, str]],
                edges: dict[_Key, set[_Key]], enabled: set[str], complete: bool,
                expanded: int, transitions: int) -> Exploration:
        ex = self.ex
        sc = ex.scenario
        n_meters = len(sc.meters)

        def path(k: _Key) -> tuple[str, ...]:
            keys: list[str] = []
            seen: set[_Key] = set()
            cur: _Key | None = k
            while cur is not None and cur not in seen:
                seen.add(cur)
                src, via = parent[cur]
                if via:
                    keys.append(via)
                cur = src
            return tuple(reversed(keys))

        endings = {s.id: EndingStats(s.ending.band) for s in sc.endings if s.ending}
        best: Outcome | None = None
        worst: Outcome | None = None
        keys = list(table)
        for k in keys:
            scene = ex.scenes[k[0]]
            if scene.ending is None:
                continue
            m = table[k]
            lows = [lo + (x & -x).bit_length() - 1 for lo, x in zip(self.lows, m, strict=True)]
            highs = [lo + x.bit_length() - 1 for lo, x in zip(self.lows, m, strict=True)]
            stats = endings[scene.id]
            for values in (lows, highs):
                stats.add(dict(zip(ex.meter_ids, values[:n_meters], strict=True)),
                          dict(zip(ex.person_ids, values[n_meters:], strict=True)))
            stats.states -= 1
            for values, pick in ((highs, "best"), (lows, "worst")):
                meters = dict(zip(ex.meter_ids, values[:n_meters], strict=True))
                score = sum(mt.weight * meters[mt.id] for mt in sc.meters)
                out = Outcome(scene.id, scene.ending.band, score, meters,
                              dict(zip(ex.person_ids, values[n_meters:], strict=True)), path(k), exact=False)
                rank = (scene.ending.level, score)
                if pick == "best" and (best is None or rank > (BAND_LEVEL[best.band], best.score)):
                    best = out
                if pick == "worst" and (worst is None or rank < (BAND_LEVEL[worst.band], worst.score)):
                    worst = out
        index = {k: i for i, k in enumerate(keys)}
        src = array("l", (index[a] for a, bs in edges.items() for _ in bs))
        dst = array("l", (index[b] for bs in edges.values() for b in bs))
        dead = {index[k] for k in keys if ex.scenes[k[0]].ending is None and self.can_be_stuck(k, table[k])}
        dead_ends: dict[str, tuple[str, ...]] = {}
        for i in sorted(dead, key=lambda i: len(path(keys[i]))):
            dead_ends.setdefault(keys[i][0], path(keys[i]))
        no_way_out: dict[str, tuple[str, ...]] = {}
        if complete:
            order = [State(k[0], (), (), k[1], k[2], k[3], k[4]) for k in keys]
            for i in sorted(_trapped(order, ex.scenes, src, dst, dead), key=lambda i: len(path(keys[i]))):
                no_way_out.setdefault(keys[i][0], path(keys[i]))
        reached = {k[0] for k in keys}
        return Exploration(complete, len(table), expanded, transitions, reached, enabled, endings,
                           best, worst, dict(sorted(dead_ends.items())), dict(sorted(no_way_out.items())),
                           exact=False)


def _or(values: Iterable[int]) -> int:
    return functools.reduce(operator.or_, values, 0)


# --- static checks ------------------------------------------------------------------------


def dominated_choices(scenario: Scenario) -> list[tuple[Choice, Choice]]:
    """Pairs (choice, sibling) where the sibling is never worse for the client or the team.

    Compares effects only: the sibling leads to the same scene, is offered whenever the
    choice is, sets and clears the same flags, takes the same time, and changes no meter
    and nobody's trust by less, and at least one by more. Such a choice teaches nothing by
    being picked over the sibling except that it is worse, which may be intended; hence a note.
    """
    out: list[tuple[Choice, Choice]] = []
    for scene in scenario.scenes.values():
        for a in scene.choices:
            for b in scene.choices:
                if a is not b and _dominates(b, a, scenario):
                    out.append((a, b))
                    break
    return out


def _dominates(b: Choice, a: Choice, scenario: Scenario) -> bool:
    if b.next != a.next or (b.condition is not None and b.condition != a.condition):
        return False
    ea, eb = a.effects, b.effects
    if (set(ea.set_flags), set(ea.clear_flags), ea.time) != (set(eb.set_flags), set(eb.clear_flags), eb.time):
        return False
    ma, mb, ta, tb = dict(ea.meters), dict(eb.meters), dict(ea.trust), dict(eb.trust)
    diffs = [mb.get(m.id, 0) - ma.get(m.id, 0) for m in scenario.meters]
    diffs += [tb.get(p.id, 0) - ta.get(p.id, 0) for p in scenario.people]
    return all(d >= 0 for d in diffs) and any(d > 0 for d in diffs)


# --- the report ---------------------------------------------------------------------------


BEAM_WIDTH: Final = 400
"""States kept per step of the beam search; enough to find near-extreme playthroughs in a second."""

BEAM_BUDGET: Final = 40_000
"""Most states one beam search visits: about a second, also for a thousand scenes."""


def search_outcome(explorer: Explorer, *, best: bool, width: int = BEAM_WIDTH,
                   max_states: int = BEAM_BUDGET) -> Outcome | None:
    """A real playthrough with a high (or low) outcome, found by beam search over exact states.

    Used when the exact space is too large to search whole: the value-set search then gives
    bounds, and this gives an outcome that is actually reachable, with its path. Each step
    keeps the `width` states with the highest (or lowest) weighted meters plus mean trust;
    it is a good guess, not a proof, which is why the bounds are reported beside it.
    """
    sc = explorer.scenario
    weights = tuple(m.weight for m in sc.meters)
    n_people = max(1, len(sc.people))
    sign = 1 if best else -1

    def promise(st: State) -> float:
        return sign * (sum(w * m for w, m in zip(weights, st.meters, strict=True)) + sum(st.trust) / n_people)

    start = explorer.initial()
    parent: dict[State, tuple[State | None, str]] = {start: (None, "")}
    frontier = [start]
    found: tuple[tuple[int, float], State] | None = None
    while frontier and len(parent) < max_states:
        layer: list[State] = []
        for st in frontier:
            v = explorer.vars_of(st)
            for ch in explorer.available(st, v):
                nxt = explorer.step(st, ch, v)
                if nxt in parent:
                    continue
                parent[nxt] = (st, ch.key)
                ending = explorer.scenes[nxt.scene].ending
                if ending is None:
                    layer.append(nxt)
                    continue
                score = sum(w * m for w, m in zip(weights, nxt.meters, strict=True))
                rank = (sign * ending.level, sign * score)
                if found is None or rank > found[0]:
                    found = (rank, nxt)
        layer.sort(key=promise, reverse=True)
        frontier = layer[:width]
    if found is None:
        return None
    st = found[1]
    keys: list[str] = []
    cur: State | None = st
    while cur is not None:
        prev, via = parent[cur]
        if via:
            keys.append(via)
        cur = prev
    v = explorer.vars_of(st)
    band = explorer.scenes[st.scene].ending.band  # type: ignore[union-attr]
    return Outcome(st.scene, band, sign * found[0][1], v.meters, v.trust, tuple(reversed(keys)))


def explore(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES,
            without_tags: Iterable[str] = ()) -> Exploration:
    """Exact exploration, or the value-set over-approximation when the exact one exceeds the cap."""
    explorer = Explorer(scenario, without_tags=without_tags)
    exact = explorer.explore(min(max_states, EXACT_BUDGET))
    return exact if exact.complete else AbstractExplorer(explorer).explore(max_states)


def analyze(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES,
            without_tags: Iterable[str] = ()) -> Analysis:
    """Explore `scenario` and collect every finding.

    Args:
        max_states: the cap on distinct states. Past it (or past EXACT_BUDGET) the exact
            search gives way to a coarser one that tracks each number as a set of values;
            if that too passes the cap, the analysis stops and says how much it covered
            (a warning).
        without_tags: for each tag, explore again with its choices never taken and
            record which endings stay reachable.
    """
    ex = explore(scenario, max_states=max_states)
    if not ex.exact:
        explorer = Explorer(scenario)
        ex.best_found = search_outcome(explorer, best=True)
        ex.worst_found = search_outcome(explorer, best=False)
    findings = _findings(scenario, ex, max_states)
    dominated = dominated_choices(scenario)
    for a, b in dominated:
        findings.append(Finding("dominated", "note",
                                f"choice {a.id!r} in scene {a.scene!r} is never better for the client or "
                                f"the team than {b.id!r}", a.span,
                                "make its trade-off visible, or drop it if it teaches nothing"))
    without: dict[str, dict[str, bool]] = {}
    for tag in without_tags:
        part = explore(scenario, max_states=max_states, without_tags=[tag])
        without[tag] = {sid: stats.states > 0 for sid, stats in part.endings.items()}
    return Analysis(scenario, ex, sorted(findings, key=_order), dominated, without, max_states)


def _findings(sc: Scenario, ex: Exploration, max_states: int) -> list[Finding]:
    out: list[Finding] = []
    if not ex.exact:
        out.append(Finding("approximate", "note",
                           f"more than {min(max_states, EXACT_BUDGET)} distinct states: each meter and trust value was "
                           "tracked as a set of values, so 'never' findings are certain but stuck "
                           "states and loops are possible rather than proven, and ranges are bounds",
                           Span(sc.path, 1, 1)))
    if not ex.complete:
        out.append(Finding("truncated", "warning",
                           f"exploration stopped at {max_states} states ({ex.expanded} expanded, "
                           f"{len(ex.reached_scenes)} of {len(sc.scenes)} scenes reached); "
                           "results are partial", Span(sc.path, 1, 1),
                           "raise --max-states, or add conditions that cut repeated loops"))
    for scene in sc.scenes.values():
        if scene.id in ex.reached_scenes:
            out.extend(_choice_findings(sc, scene, ex))
        elif ex.complete:
            out.append(_unreached(scene))
    may = "" if ex.exact else "may "
    for sid, path in ex.dead_ends.items():
        out.append(Finding("dead_end", "warning",
                           f"scene {sid!r} {may}can be reached with no choice available: the player is stuck",
                           sc.scenes[sid].span, "give one choice no 'when', or check the conditions", path))
    for sid, path in ex.no_way_out.items():
        out.append(Finding("no_way_out", "warning",
                           f"from scene {sid!r} no ending {'may be' if may else 'can be'} reached: "
                           "the story loops for ever",
                           sc.scenes[sid].span, "add a way out of the loop", path))
    return sorted(out, key=_order)


def _unreached(scene: Scene) -> Finding:
    if scene.ending is not None:
        return Finding("ending_never_reached", "warning",
                       f"ending {scene.id!r} ({scene.ending.band}) is never reached", scene.span)
    n = len(scene.choices)
    return Finding("unreachable_scene", "warning",
                   f"scene {scene.id!r} is never reached (nor its {n} choice{'s' if n != 1 else ''})",
                   scene.span)


def _choice_findings(sc: Scenario, scene: Scene, ex: Exploration) -> Iterator[Finding]:
    if not ex.complete:
        return
    for ch in scene.choices:
        if ch.key not in ex.enabled_choices:
            why = describe(ch.condition, sc) if ch.condition is not None else "none"
            if ch.locked_reason:
                # shown greyed in every playthrough: a deliberate teaching device, or a slip
                yield Finding("never_enabled", "note",
                              f"choice {ch.id!r} in scene {scene.id!r} is shown locked in every "
                              f"playthrough: its condition ({why}) never holds there", ch.span)
            else:
                yield Finding("never_enabled", "warning",
                              f"choice {ch.id!r} in scene {scene.id!r} is never available: "
                              f"its condition ({why}) never holds there", ch.span,
                              "a hidden choice that never opens is dead content")


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.span.line, f.span.column, f.message) if f.span else (0, 0, f.message)


__all__ = [
    "DEFAULT_MAX_STATES",
    "EXACT_BUDGET",
    "AbstractExplorer",
    "Analysis",
    "EndingStats",
    "Exploration",
    "Explorer",
    "Finding",
    "Outcome",
    "State",
    "analyze",
    "dominated_choices",
    "explore",
]
