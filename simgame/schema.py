"""pydantic models mirroring the scenario YAML: shape and types only, no cross-references.

These *Spec classes are the single source of the file format: the compiler validates
against them and `simgame schema` prints the JSON Schema they generate, which editors
use for completion through the ``# yaml-language-server: $schema=...`` modeline.
Cross-references (does `next` name a scene?) are the compiler's job, because only it
knows every id and every position.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT_VERSION = 1
"""The scenario format this code reads. Old engine, new format: refuse; new engine, old
format: read it where we can (ink's rule)."""

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="A stable id: lower-case letters, digits and _, starting with a letter."),
]
Text = Annotated[str, StringConstraints(min_length=1)]

Tag = Literal[
    "role_clarification",
    "conflict_resolution",
    "referral",
    "communication",
    "client_centred_care",
    "collaborative_leadership",
    "team_functioning",
]
TAGS: tuple[str, ...] = Tag.__args__  # type: ignore[attr-defined]

Band = Literal["much_worse", "worse", "expected", "better", "much_better"]
BANDS: tuple[str, ...] = Band.__args__  # type: ignore[attr-defined]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class CompareSpec(_Spec):
    """Comparisons against a number; several keys all have to hold (gte: 20, lt: 60)."""

    lt: int | None = None
    lte: int | None = None
    gt: int | None = None
    gte: int | None = None
    eq: int | None = None
    ne: int | None = None


class ConditionSpec(_Spec):
    """A condition as data, never code. Every key given has to hold (an implicit "all")."""

    all: list[ConditionSpec] | None = Field(None, description="Every condition listed holds.")
    any: list[ConditionSpec] | None = Field(None, description="At least one condition holds.")
    not_: ConditionSpec | None = Field(None, alias="not", description="This condition does not hold.")
    meters: dict[Id, CompareSpec] | None = Field(None, description="Client-outcome meter comparisons.")
    trust: dict[Id, CompareSpec] | None = Field(
        None, description="Trust comparisons, by team member id (the client included)."
    )
    clock: CompareSpec | None = Field(None, description="Comparison on time elapsed on the clock.")
    flags: list[Id] | None = Field(None, description="Every flag listed is set.")
    visited: list[Id] | None = Field(None, description="Every scene listed has been visited.")


class EffectsSpec(_Spec):
    """What a choice, consequence or event changes."""

    meters: dict[Id, int] | None = Field(None, description="Meter deltas, e.g. {safety: 5}.")
    trust: dict[Id, int] | None = Field(None, description="Trust deltas by member id, e.g. {okafor: -3}.")
    set_flags: list[Id] | None = Field(None, description="Flags to set.")
    clear_flags: list[Id] | None = Field(None, description="Flags to clear.")
    time: Annotated[int, Field(ge=0)] | None = Field(None, description="Clock units that pass.")


class FeedbackSpec(_Spec):
    """Feedback shown after a choice in learning mode, and in the debrief."""

    outcome: Text = Field(description="What happened because of the choice.")
    teaching: Text = Field(description="The one-line teaching point.")


class ChoiceSpec(_Spec):
    """One option at a decision."""

    id: Id
    text: Text
    tags: list[Tag] = Field(default_factory=list, description="Competency tags.")
    when: ConditionSpec | None = Field(None, description="Offered only when this holds.")
    locked_reason: Text | None = Field(
        None,
        description="If given, the choice is shown greyed with this reason when `when` fails; otherwise it is hidden.",
    )
    effects: EffectsSpec | None = None
    feedback: FeedbackSpec | None = None
    oversteps: Text | None = Field(
        None, description="How this option oversteps the social worker's role, for the debrief."
    )
    breach: Text | None = Field(
        None,
        description="The integrity breach this option commits (a promise not kept, "
        "sharing without consent), which weighs more than good acts in scoring.",
    )
    next: Id = Field(description="The scene this choice leads to.")


class LineSpec(_Spec):
    """A line of dialogue; `speaker` is a person id, `you` or `narrator`."""

    id: Id | None = Field(None, description="Stable id; defaults to <scene>_l<n>.")
    speaker: Id
    text: Text


class ExpertSpec(_Spec):
    """The choice an expert makes at this decision, and why."""

    choice: Id
    why: Text


class ConsequenceSpec(_Spec):
    """A delayed consequence: applied when the scene is entered and `when` holds."""

    id: Id
    when: ConditionSpec
    effects: EffectsSpec | None = None
    text: Text | None = Field(None, description="Narration shown when it applies.")


class EndingSpec(_Spec):
    """Marks a scene as an ending, with the outcome band it represents for the client."""

    band: Band
    title: Text


class SceneSpec(_Spec):
    """A scene: narration, dialogue, then choices; or an ending."""

    id: Id
    title: Text | None = None
    text: Text | None = Field(None, description="Narration.")
    lines: list[LineSpec] = Field(default_factory=list)
    consequences: list[ConsequenceSpec] = Field(default_factory=list)
    prompt: Text | None = Field(None, description="The question before the choices.")
    choices: list[ChoiceSpec] = Field(default_factory=list)
    expert: ExpertSpec | None = None
    ending: EndingSpec | None = None


class EventSpec(_Spec):
    """Fires after a choice when `when` holds, sending the story to `goto` instead of `next`."""

    id: Id
    when: ConditionSpec
    goto: Id
    text: Text | None = None
    effects: EffectsSpec | None = None
    once: bool = True


class PersonSpec(_Spec):
    """A member of the interprofessional team."""

    id: Id
    name: Text
    profession: Text
    about: Text | None = None
    does: list[Text] = Field(default_factory=list, description="What this role does.")
    cannot: list[Text] = Field(default_factory=list, description="What this role cannot do.")
    trust: Annotated[int, Field(ge=0, le=100)] = 50
    portrait: Text | None = Field(None, description="An image path, relative to the scenario folder.")


class ClientSpec(_Spec):
    """The client, a partner on the team with goals of their own."""

    id: Id
    name: Text
    about: Text
    goals: list[Text] = Field(min_length=1)
    trust: Annotated[int, Field(ge=0, le=100)] = 50
    portrait: Text | None = None


class MeterSpec(_Spec):
    """A named client-outcome dimension."""

    id: Id
    label: Text
    min: int = 0
    max: int = 100
    start: int
    weight: Annotated[float, Field(ge=0)] | int = 1
    expected: int | None = Field(None, description="The expected end value (GAS level 0).")


class ClockSpec(_Spec):
    """An optional clock: time passes through choices' `time` effects."""

    label: Text = Field(description="e.g. 'Days until the hearing'.")
    unit: Text = "day"
    start: int = 0
    deadline: int | None = None


class JurisdictionSpec(_Spec):
    """The declared fictional jurisdiction and the rules the scenario assumes there."""

    name: Text
    fictional: Literal[True] = True
    rules: list[Text] = Field(default_factory=list)


class ResourceSpec(_Spec):
    """A support resource for the step-out screen and debrief."""

    name: Text
    detail: Text


class DebriefSpec(_Spec):
    """PEARLS debrief questions."""

    reactions: list[Text] = Field(min_length=1)
    description: list[Text] = Field(min_length=1)
    analysis: list[Text] = Field(min_length=1)
    summary: list[Text] = Field(min_length=1)


class ScenarioSpec(_Spec):
    """A whole scenario file."""

    format: Literal[1] = Field(description="Scenario format version.")
    id: Id
    title: Text
    summary: Text
    setting: Text
    minutes: Annotated[int, Field(gt=0)]
    version: Text
    authors: list[Text] = Field(min_length=1)
    reviewers: list[Text] = Field(default_factory=list)
    jurisdiction: JurisdictionSpec
    role: Text = Field(description="The player's role, told in the prebrief.")
    objectives: list[Text] = Field(min_length=1)
    content_notes: list[Text] = Field(default_factory=list)
    fiction_contract: Text
    resources: list[ResourceSpec] = Field(default_factory=list)
    client: ClientSpec
    team: list[PersonSpec] = Field(min_length=1)
    meters: list[MeterSpec] = Field(min_length=1)
    clock: ClockSpec | None = None
    start: Id
    scenes: list[SceneSpec] = Field(min_length=1)
    events: list[EventSpec] = Field(default_factory=list)
    debrief: DebriefSpec | None = None


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files, for editors and tools."""
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://simgame.invalid/scenario.schema.json"
    schema["title"] = "simgame scenario"
    return schema
