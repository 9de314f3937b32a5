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

from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from simgame.conditions import AllOf, AnyOf, Compare, Condition, Not, Visited, apply_effects, describe, flags_read
from simgame.errors import Span
from simgame.scenario import Choice, Effects, Scenario, Scene, Vars

DEFAULT_MAX_STATES: Final = 200_000
"""Enough for every hand-written scenario; a 1,000-scene synthetic one stops here in seconds."""

Severity = Literal["warning", "note"]
Kind = Literal[
    "unreachable_scene", "ending_never_reached", "never_enabled", "dead_end", "no_way_out",
    "truncated", "dominated",
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

    def to_json(self) -> dict[str, Any]:
        return {"ending": self.ending, "band": self.band, "score": self.score,
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
        return State(scene, tuple(v.meters.values()), tuple(v.trust.values()), frozenset(v.flags),
                     min(v.clock, self.clock_cap), frozenset(v.visited), fired)

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


def analyze(scenario: Scenario, *, max_states: int = DEFAULT_MAX_STATES,
            without_tags: Iterable[str] = ()) -> Analysis:
    """Explore `scenario` and collect every finding.

    Args:
        max_states: stop after this many distinct states and say so (a warning).
        without_tags: for each tag, explore again with its choices never taken and
            record which endings stay reachable.
    """
    ex = Explorer(scenario).explore(max_states)
    findings = _findings(scenario, ex, max_states)
    dominated = dominated_choices(scenario)
    for a, b in dominated:
        findings.append(Finding("dominated", "note",
                                f"choice {a.id!r} in scene {a.scene!r} is never better for the client or "
                                f"the team than {b.id!r}", a.span,
                                "make its trade-off visible, or drop it if it teaches nothing"))
    without: dict[str, dict[str, bool]] = {}
    for tag in without_tags:
        part = Explorer(scenario, without_tags=[tag]).explore(max_states)
        without[tag] = {sid: stats.states > 0 for sid, stats in part.endings.items()}
    return Analysis(scenario, ex, findings, dominated, without, max_states)


def _findings(sc: Scenario, ex: Exploration, max_states: int) -> list[Finding]:
    out: list[Finding] = []
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
    for sid, path in ex.dead_ends.items():
        out.append(Finding("dead_end", "warning",
                           f"scene {sid!r} can be reached with no choice available: the player is stuck",
                           sc.scenes[sid].span, "give one choice no 'when', or check the conditions", path))
    for sid, path in ex.no_way_out.items():
        out.append(Finding("no_way_out", "warning",
                           f"from scene {sid!r} no ending can be reached: the story loops for ever",
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
            yield Finding("never_enabled", "warning",
                          f"choice {ch.id!r} in scene {scene.id!r} is never available: "
                          f"its condition ({why}) never holds there", ch.span)


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.span.line, f.span.column, f.message) if f.span else (0, 0, f.message)


__all__ = [
    "DEFAULT_MAX_STATES", "Analysis", "EndingStats", "Exploration", "Explorer", "Finding", "Outcome",
    "State", "analyze", "dominated_choices",
]
