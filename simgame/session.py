"""Session: one playthrough of a compiled scenario, run by the scenario's transitions Machine.

One `transitions.Machine` is built per loaded scenario (`model=None`,
`auto_transitions=False`) and shared by every session: each scene is a state, each choice
a transition guarded by its compiled condition, each event a transition from any scene.
A session is the machine's model: it carries `state`, and the machine's callbacks apply
effects to it. Sessions are triggered through `machine.events[...]` rather than through
`add_model`, because add_model binds an `is_<scene>()` method per scene to each model
(230 ms for 10,000 scenes) and keeps every model alive in the machine's list.

The session never reads a clock or the global random module; a run is reproducible from
(scenario, seed, choices). Time stamps, when wanted, are supplied by the front end.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Final, Literal
from weakref import WeakKeyDictionary

from transitions import Machine, State

from simgame.conditions import Applied, apply_effects
from simgame.scenario import Choice, Ending, Scenario, Scene, Vars

SNAPSHOT_FORMAT: Final = 1
"""Save-file format. New engine, old format: read it where we can; old engine, new format: refuse."""

EntryKind = Literal["choice_made", "consequence", "event_fired", "undone", "ended"]


@dataclass(frozen=True, slots=True)
class Change:
    """What one choice, consequence or event actually changed (after clamping)."""

    meters: tuple[tuple[str, int], ...] = ()
    trust: tuple[tuple[str, int], ...] = ()
    flags_set: tuple[str, ...] = ()
    flags_cleared: tuple[str, ...] = ()
    time: int = 0

    @classmethod
    def of(cls, applied: Applied) -> Change:
        return cls(applied.meters, applied.trust, applied.flags_set, applied.flags_cleared, applied.time)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One fact in a session's log, in past tense."""

    kind: EntryKind
    scene: str
    step: int
    """The decision number this entry belongs to (0 before the first choice)."""
    choice: str | None = None
    target: str | None = None
    """The scene moved to, the consequence or event id, or the ending's band."""
    change: Change = field(default_factory=Change)
    meters: tuple[tuple[str, int], ...] = ()
    trust: tuple[tuple[str, int], ...] = ()
    """Meters and trust after this entry (choice_made and ended entries)."""
    t: float | None = None
    """Seconds since the session started, when the front end supplies it."""
    abandoned: tuple[str, ...] = ()
    """For `undone`: the choice keys (scene.choice) of the branch that was abandoned."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """A choice as the player sees it now: available, or locked with its reason."""

    choice: Choice
    number: int
    available: bool
    locked_reason: str | None

    @property
    def id(self) -> str:
        return self.choice.id


@dataclass(slots=True)
class _Undo:
    """What undoing one decision must restore, recorded as the decision's own changes.

    Every change is kept as applied, after clamping, so subtracting it restores the value
    exactly; flags record only those that really changed. Visited scenes and fired
    once-only events only grow within a decision. Copying the variables instead made
    long playthroughs slow (a copy of every set and dict on every choice).
    """

    state: str
    changes: list[Change] = field(default_factory=list)
    visited_added: list[str] = field(default_factory=list)
    fired_added: list[str] = field(default_factory=list)

    def revert(self, v: Vars) -> None:
        for change in reversed(self.changes):
            for key, delta in change.meters:
                v.meters[key] -= delta
            for key, delta in change.trust:
                v.trust[key] -= delta
            v.flags.difference_update(change.flags_set)
            v.flags.update(change.flags_cleared)
            v.clock -= change.time
        v.visited.difference_update(self.visited_added)


class _Machine:
    """The transitions Machine of one scenario, built once and shared by its sessions."""

    _cache: ClassVar[WeakKeyDictionary[Scenario, _Machine]] = WeakKeyDictionary()

    def __init__(self, scenario: Scenario) -> None:
        states = [State(sid, final=sc.is_ending) for sid, sc in scenario.scenes.items()]
        transitions: list[dict[str, Any]] = []
        for sc in scenario.scenes.values():
            for ch in sc.choices:
                t: dict[str, Any] = {"trigger": ch.key, "source": sc.id, "dest": ch.next}
                if ch.test is not None:
                    t["conditions"] = [_guard(ch)]
                transitions.append(t)
        for ev in scenario.events:
            sources = [sid for sid, sc in scenario.scenes.items() if not sc.is_ending]
            transitions.append({"trigger": f"event:{ev.id}", "source": sources, "dest": ev.goto})
        self.machine = Machine(
            model=None,
            states=states,
            transitions=transitions,
            initial=scenario.start,
            auto_transitions=False,
            send_event=True,
            queued=False,
        )
        self.events = self.machine.events

    @classmethod
    def of(cls, scenario: Scenario) -> _Machine:
        machine = cls._cache.get(scenario)
        if machine is None:
            machine = cls._cache[scenario] = cls(scenario)
        return machine


def _guard(choice: Choice) -> Any:
    test = choice.test
    assert test is not None
    return lambda event: test(event.model.vars)


class Session:
    """One playthrough: deterministic given (scenario, seed, choices).

    >>> from simgame import load_scenario
    >>> s = Session(load_scenario("scenarios/tutorial.yaml"), seed=1)
    >>> s.scene.id
    'arrival'
    """

    state: str
    """The current scene id; set by the transitions Machine."""

    def __init__(self, scenario: Scenario, *, seed: int = 0) -> None:
        self.scenario = scenario
        self.seed = seed
        self.rng = random.Random(seed)
        self._machine = _Machine.of(scenario)
        self._limits = {m.id: (m.min, m.max) for m in scenario.meters}
        self.vars: Vars = scenario.initial_vars()
        self.state = scenario.start
        self._log: list[LogEntry] = []
        self._fired: set[str] = set()
        self._history: list[_Undo] = []
        self._path: list[str] = []
        self._step = 0
        self._enter(scenario.start, t=None)

    # --- reading -----------------------------------------------------------------------

    @property
    def scene(self) -> Scene:
        return self.scenario.scenes[self.state]

    @property
    def is_over(self) -> bool:
        return self.scene.ending is not None

    @property
    def ending(self) -> Ending | None:
        return self.scene.ending

    @property
    def log(self) -> tuple[LogEntry, ...]:
        return tuple(self._log)

    @property
    def path(self) -> tuple[str, ...]:
        """The choice keys (scene.choice) taken on the current branch, in order."""
        return tuple(self._path)

    @property
    def meters(self) -> dict[str, int]:
        return dict(self.vars.meters)

    @property
    def trust(self) -> dict[str, int]:
        return dict(self.vars.trust)

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(self.vars.flags)

    @property
    def clock(self) -> int:
        return self.vars.clock

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def choices(self) -> tuple[ChoiceView, ...]:
        """The scene's choices the player can see: available ones and locked ones with a reason."""
        views = []
        number = 0
        for ch in self.scene.choices:
            ok = ch.test is None or ch.test(self.vars)
            if ok or ch.locked_reason:
                number += 1
                views.append(ChoiceView(ch, number, ok, None if ok else ch.locked_reason))
        return tuple(views)

    def available(self) -> tuple[Choice, ...]:
        """Only the choices that can be taken now."""
        v = self.vars
        return tuple(ch for ch in self.scene.choices if ch.test is None or ch.test(v))

    # --- acting ------------------------------------------------------------------------

    def choose(self, choice_id: str, *, t: float | None = None) -> LogEntry:
        """Take a choice offered in the current scene, and return its log entry.

        Raises:
            ValueError: the choice is not in this scene, is locked, or the session is over.
        """
        scene = self.scene
        if scene.ending is not None:
            raise ValueError(f"the scenario has ended; no choice {choice_id!r} can be made")
        try:
            choice = scene.choice(choice_id)
        except KeyError:
            raise ValueError(f"choice {choice_id!r} is not available in scene {scene.id!r}") from None
        if choice.test is not None and not choice.test(self.vars):
            raise ValueError(f"choice {choice_id!r} is locked in scene {scene.id!r}")
        undo = _Undo(self.state)
        self._history.append(undo)
        self._step += 1
        before = self.state
        if not self._machine.events[choice.key].trigger(self):  # pragma: no cover - guarded above
            raise RuntimeError(f"transition {choice.key} refused after its guard passed")
        change = Change.of(apply_effects(choice.effects, self.vars, self.scenario, self._limits))
        undo.changes.append(change)
        entry = LogEntry(
            "choice_made",
            before,
            self._step,
            choice.id,
            choice.next,
            change,
            tuple(self.vars.meters.items()),
            tuple(self.vars.trust.items()),
            t,
        )
        self._log.append(entry)
        self._path.append(choice.key)
        target = choice.next
        if not self.scenario.scenes[target].is_ending:
            target = self._fire_events(target, t)
        self._enter(target, t)
        return entry

    def undo(self) -> None:
        """Take back the last decision; the abandoned branch stays in the log for the debrief.

        Raises:
            ValueError: there is nothing to undo.
        """
        if not self._history:
            raise ValueError("there is no decision to undo")
        undo = self._history.pop()
        abandoned = self._path.pop()
        state = undo.state
        undo.revert(self.vars)
        self._fired.difference_update(undo.fired_added)
        self._log.append(
            LogEntry("undone", self.state, self._step, abandoned.split(".", 1)[1], state, abandoned=(abandoned,))
        )
        self._machine.machine.set_state(state, model=self)
        self._step -= 1

    def _fire_events(self, target: str, t: float | None) -> str:
        for ev in self.scenario.events:
            if ev.once and ev.id in self._fired:
                continue
            if ev.test(self.vars):
                self._fired.add(ev.id)
                self._machine.events[f"event:{ev.id}"].trigger(self)
                change = Change.of(apply_effects(ev.effects, self.vars, self.scenario, self._limits))
                if self._history:
                    self._history[-1].fired_added.append(ev.id)
                    self._history[-1].changes.append(change)
                self._log.append(LogEntry("event_fired", target, self._step, None, ev.id, change, t=t))
                return ev.goto
        return target

    def _enter(self, scene_id: str, t: float | None) -> None:
        self.state = scene_id
        if scene_id not in self.vars.visited:
            self.vars.visited.add(scene_id)
            if self._history:
                self._history[-1].visited_added.append(scene_id)
        scene = self.scenario.scenes[scene_id]
        for cq in scene.consequences:
            key = f"{scene_id}.{cq.id}"
            if key not in self._fired and cq.test(self.vars):
                self._fired.add(key)
                change = Change.of(apply_effects(cq.effects, self.vars, self.scenario, self._limits))
                if self._history:
                    self._history[-1].fired_added.append(key)
                    self._history[-1].changes.append(change)
                self._log.append(LogEntry("consequence", scene_id, self._step, None, cq.id, change, t=t))
        if scene.ending is not None:
            self._log.append(
                LogEntry(
                    "ended",
                    scene_id,
                    self._step,
                    None,
                    scene.ending.band,
                    meters=tuple(self.vars.meters.items()),
                    trust=tuple(self.vars.trust.items()),
                    t=t,
                )
            )

    # --- saving ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """A versioned, JSON-ready snapshot; `Session.restore` rebuilds the session from it.

        The snapshot stores the inputs (seed, choices and undos in order) and, as a check,
        the state they produced; restoring replays the inputs, so it never trusts numbers
        from the file.
        """
        actions: list[str] = []
        for e in self._log:
            if e.kind == "choice_made":
                actions.append(f"{e.scene}.{e.choice}")
            elif e.kind == "undone":
                actions.append("undo")
        times = [e.t for e in self._log if e.kind in ("choice_made", "undone")]
        return {
            "format": SNAPSHOT_FORMAT,
            "scenario": {"id": self.scenario.id, "version": self.scenario.version, "sha256": self.scenario.sha256},
            "seed": self.seed,
            "actions": actions,
            "times": times,
            "state": {
                "scene": self.state,
                "meters": self.meters,
                "trust": self.trust,
                "flags": sorted(self.vars.flags),
                "clock": self.clock,
            },
        }

    @classmethod
    def restore(cls, scenario: Scenario, snapshot: dict[str, Any], *, lenient: bool = False) -> Session:
        """Rebuild a session by replaying a snapshot's actions.

        With ``lenient=True`` (hot reload after an edit) replay stops at the first action the
        scenario no longer allows, keeping the session as far as it could go.

        Raises:
            ValueError: the snapshot is not one this version reads, is for another scenario,
                or (unless lenient) cannot be replayed.
        """
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError("this save was written by a different version of simgame and cannot be read")
        meta = snapshot.get("scenario") or {}
        if meta.get("id") != scenario.id:
            raise ValueError(f"this save is for scenario {meta.get('id')!r}, not {scenario.id!r}")
        seed = snapshot.get("seed")
        actions = snapshot.get("actions")
        times = snapshot.get("times") or []
        if not isinstance(seed, int) or not isinstance(actions, list):
            raise ValueError("this save is damaged: it has no seed or no list of actions")
        session = cls(scenario, seed=seed)
        for i, action in enumerate(actions):
            t = times[i] if i < len(times) and isinstance(times[i], int | float) else None
            try:
                session._replay(action, t)
            except ValueError:
                if lenient:
                    break
                raise
        return session

    def _replay(self, action: object, t: float | None) -> None:
        if action == "undo":
            self.undo()
            return
        if not isinstance(action, str) or "." not in action:
            raise ValueError(f"this save is damaged: {action!r} is not an action")
        scene, choice = action.split(".", 1)
        if scene != self.state:
            raise ValueError(f"the save expects scene {scene!r} but the story is at {self.state!r}")
        self.choose(choice, t=t)

    def to_json(self) -> str:
        return json.dumps(self.snapshot(), ensure_ascii=False, indent=1)


def play(scenario: Scenario, choices: Sequence[str], *, seed: int = 0) -> Session:
    """Play a list of choice ids from the start; a convenience for tests and tools."""
    session = Session(scenario, seed=seed)
    for c in choices:
        session.choose(c)
    return session
