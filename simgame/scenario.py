"""Runtime types of a compiled scenario (frozen dataclasses), and the mutable variables of a playthrough."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from simgame.conditions import Condition
    from simgame.errors import Issue, Span

Band = Literal["much_worse", "worse", "expected", "better", "much_better"]

BAND_LEVEL: Final[dict[str, int]] = {
    "much_worse": -2,
    "worse": -1,
    "expected": 0,
    "better": 1,
    "much_better": 2,
}
"""Goal-attainment scaling levels of the outcome bands."""

BAND_LABEL: Final[dict[str, str]] = {
    "much_worse": "much worse than expected",
    "worse": "worse than expected",
    "expected": "as expected",
    "better": "better than expected",
    "much_better": "much better than expected",
}

TRUST_MIN: Final = 0
TRUST_MAX: Final = 100


@dataclass(slots=True)
class Vars:
    """Everything a condition can read and an effect can change: the state of a playthrough."""

    meters: dict[str, int]
    trust: dict[str, int]
    flags: set[str] = field(default_factory=set)
    clock: int = 0
    visited: set[str] = field(default_factory=set)

    def copy(self) -> Vars:
        return Vars(dict(self.meters), dict(self.trust), set(self.flags), self.clock, set(self.visited))


Predicate = Callable[[Vars], bool]


@dataclass(frozen=True, slots=True)
class Person:
    """A member of the team; the client is one too (`is_client`)."""

    id: str
    name: str
    profession: str
    about: str
    does: tuple[str, ...]
    cannot: tuple[str, ...]
    trust: int
    portrait: Path | None
    is_client: bool = False
    goals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Meter:
    """A client-outcome dimension."""

    id: str
    label: str
    min: int
    max: int
    start: int
    weight: float
    expected: int


@dataclass(frozen=True, slots=True)
class Clock:
    """The scenario clock; `deadline` is in the same units as `start`."""

    label: str
    unit: str
    start: int
    deadline: int | None


@dataclass(frozen=True, slots=True)
class Effects:
    """Changes applied by a choice, a consequence or an event."""

    meters: tuple[tuple[str, int], ...] = ()
    trust: tuple[tuple[str, int], ...] = ()
    set_flags: tuple[str, ...] = ()
    clear_flags: tuple[str, ...] = ()
    time: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.meters or self.trust or self.set_flags or self.clear_flags or self.time)


NO_EFFECTS: Final = Effects()


@dataclass(frozen=True, slots=True)
class Feedback:
    """What happened, and the teaching point."""

    outcome: str
    teaching: str


@dataclass(frozen=True, slots=True)
class Choice:
    """An option at a scene."""

    id: str
    scene: str
    text: str
    tags: tuple[str, ...]
    condition: Condition | None
    test: Predicate | None
    """The compiled `condition`; None means always offered."""
    locked_reason: str | None
    effects: Effects
    feedback: Feedback | None
    oversteps: str | None
    breach: str | None
    next: str
    span: Span | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """The choice's scenario-wide id, `<scene>.<choice>`."""
        return f"{self.scene}.{self.id}"


@dataclass(frozen=True, slots=True)
class Line:
    """A line of dialogue."""

    id: str
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Consequence:
    """A delayed consequence, applied once on entering its scene when its condition holds."""

    id: str
    condition: Condition
    test: Predicate
    effects: Effects
    text: str | None


@dataclass(frozen=True, slots=True)
class Expert:
    """The expert's choice at a decision, and why."""

    choice: str
    why: str


@dataclass(frozen=True, slots=True)
class Ending:
    """An ending and the client's outcome band."""

    band: Band
    title: str

    @property
    def level(self) -> int:
        return BAND_LEVEL[self.band]

    @property
    def label(self) -> str:
        return BAND_LABEL[self.band]


@dataclass(frozen=True, slots=True)
class Scene:
    """A scene: a state of the machine."""

    id: str
    title: str | None
    text: str | None
    lines: tuple[Line, ...]
    consequences: tuple[Consequence, ...]
    prompt: str | None
    choices: tuple[Choice, ...]
    expert: Expert | None
    ending: Ending | None
    span: Span | None = field(default=None, compare=False)

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    @property
    def is_decision(self) -> bool:
        """A decision point is a scene with an expert answer; other scenes are story beats
        or routing (several choices whose conditions pick one)."""
        return self.expert is not None

    def choice(self, choice_id: str) -> Choice:
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise KeyError(choice_id)


@dataclass(frozen=True, slots=True)
class Event:
    """Fires after a choice when its condition holds, redirecting the story."""

    id: str
    condition: Condition
    test: Predicate
    goto: str
    text: str | None
    effects: Effects
    once: bool


@dataclass(frozen=True, slots=True)
class Resource:
    """A support resource."""

    name: str
    detail: str


@dataclass(frozen=True, slots=True)
class Debrief:
    """PEARLS debrief questions."""

    reactions: tuple[str, ...]
    description: tuple[str, ...]
    analysis: tuple[str, ...]
    summary: tuple[str, ...]


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class Scenario:
    """A compiled, validated scenario: everything a session, a report or an analysis needs.

    Compared and hashed by identity: two loads of one file are two scenarios, and the
    session's machine cache is keyed on the object.
    """

    id: str
    title: str
    summary: str
    setting: str
    minutes: int
    version: str
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    jurisdiction: str
    jurisdiction_rules: tuple[str, ...]
    role: str
    objectives: tuple[str, ...]
    content_notes: tuple[str, ...]
    fiction_contract: str
    resources: tuple[Resource, ...]
    client: Person
    team: tuple[Person, ...]
    meters: tuple[Meter, ...]
    clock: Clock | None
    start: str
    scenes: Mapping[str, Scene]
    events: tuple[Event, ...]
    debrief: Debrief | None
    path: str
    sha256: str
    warnings: tuple[Issue, ...] = ()

    @property
    def people(self) -> tuple[Person, ...]:
        """The client first, then the team."""
        return (self.client, *self.team)

    def person(self, person_id: str) -> Person:
        for p in self.people:
            if p.id == person_id:
                return p
        raise KeyError(person_id)

    def meter(self, meter_id: str) -> Meter:
        for m in self.meters:
            if m.id == meter_id:
                return m
        raise KeyError(meter_id)

    @property
    def endings(self) -> tuple[Scene, ...]:
        return tuple(s for s in self.scenes.values() if s.ending is not None)

    def initial_vars(self) -> Vars:
        """The variables at the start of a playthrough."""
        return Vars(
            meters={m.id: m.start for m in self.meters},
            trust={p.id: p.trust for p in self.people},
            clock=self.clock.start if self.clock else 0,
        )
