"""Scoring of one playthrough: client outcome bands, trust over time, competency evidence.

Pure: it reads a scenario and a session log and nothing else (no clock, no files), so a
report rebuilt from the records database scores exactly like the live session did.

Outcome and process are kept apart on purpose (domain brief §2.3): the *outcome* is where
the client ends up (the ending's band and the meters, goal-attainment style); the *process*
is the collaboration the learner showed (competency evidence per CIHC domain). A good
outcome after poor process, or the reverse, is itself a debrief point.

Every number here is formative feedback for a debrief, not a validated grade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from simgame.scenario import BAND_LABEL, BAND_LEVEL, Ending, Meter, Scenario
from simgame.session import Change, LogEntry, Session

# --- constants -------------------------------------------------------------------------------

LEVEL_BANDS: Final[dict[int, str]] = {v: k for k, v in BAND_LEVEL.items()}
"""GAS level (-2..+2) -> outcome band id."""

GAS_RHO: Final = 0.3
"""Inter-goal correlation assumed by Kiresuk & Sherman's GAS T-score formula (their default)."""

BREACH_WEIGHT: Final = 3.0
"""How many good acts one integrity breach outweighs. Trust lost through a breach of
integrity (a promise not kept, sharing without consent) is harder to rebuild than trust
earned by one good act (domain brief §2.2: losses are asymmetric)."""

OVERSTEP_WEIGHT: Final = 1.5
"""Weight of the role-clarification evidence against an option that oversteps the role."""

PARTIAL_CREDIT: Final = 0.5
"""Credit for a sound option (no breach, no overstep) that is not the expert's choice."""

CompetencyBand = Literal["minimal", "developing", "competent", "mastery"]

COMPETENCY_BANDS: Final[tuple[tuple[float, CompetencyBand], ...]] = (
    (0.85, "mastery"), (0.65, "competent"), (0.40, "developing"), (0.0, "minimal"),
)
"""Lower bounds of the ICAR-style bands on the 0..1 evidence score. They sit near the
midpoints between the mean ICAR totals of scripted minimal / developing / competent /
mastery performances (about 35, 70, 93 and 121 of 124; Weppner 2025), as fractions."""

COMPETENCY_LABEL: Final[dict[str, str]] = {
    "minimal": "Minimal", "developing": "Developing", "competent": "Competent",
    "mastery": "Mastery",
}


@dataclass(frozen=True, slots=True)
class Domain:
    """A competency domain: the scenario tag, its CIHC 2010 name and its IPEC mapping."""

    tag: str
    cihc: str
    ipec: str


DOMAINS: Final[tuple[Domain, ...]] = (
    Domain("role_clarification", "Role clarification", "Roles/Responsibilities (RR)"),
    Domain("client_centred_care", "Patient/client/family/community-centred care",
           "Values/Ethics (VE)"),
    Domain("team_functioning", "Team functioning", "Teams and Teamwork (TT)"),
    Domain("collaborative_leadership", "Collaborative leadership", "Teams and Teamwork (TT5)"),
    Domain("communication", "Interprofessional communication",
           "Interprofessional Communication (CC)"),
    Domain("conflict_resolution", "Interprofessional conflict resolution",
           "Teams and Teamwork (TT6)"),
    Domain("referral", "Referral (part of role clarification)",
           "Roles/Responsibilities (RR3: bring in complementary expertise)"),
)
"""The six CIHC 2010 domains plus referral, in report order (domain brief §1.1-1.2)."""

FORMATIVE_NOTE: Final = ("Formative feedback for learning and debriefing: these bands are not a "
                         "validated grade and one playthrough is thin evidence.")

# --- value types -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """One choice on the branch the learner kept (undone choices are `Abandoned`)."""

    seq: int
    """Index of the choice's entry in the session log; stable, unlike `step`, under undo."""
    step: int
    scene: str
    choice: str
    t: float | None
    is_decision: bool
    """The scene is a decision point (it has an expert answer)."""
    expert: str | None
    tags: tuple[str, ...]
    breach: str | None
    oversteps: str | None
    change: Change
    """The choice's own change plus the consequences and events that followed it."""
    meters: tuple[tuple[str, int], ...]
    trust: tuple[tuple[str, int], ...]
    """Meters and trust once the choice and what followed it were applied."""

    @property
    def matched(self) -> bool | None:
        """Whether the learner chose as the expert did; None where no expert answer exists."""
        return None if self.expert is None else self.expert == self.choice


@dataclass(frozen=True, slots=True)
class Abandoned:
    """A choice the learner took back with undo: the road tried and left, for the debrief."""

    seq: int
    step: int
    scene: str
    choice: str
    t: float | None
    change: Change


@dataclass(frozen=True, slots=True)
class MeterOutcome:
    """One client-outcome dimension at the end, in goal-attainment terms."""

    id: str
    label: str
    value: int
    expected: int
    weight: float
    level: float
    """Continuous GAS level in -2..+2: distance from `expected` over the room on that side."""
    band: str

    @property
    def band_label(self) -> str:
        return BAND_LABEL[self.band]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the client ended up: the ending's band, and the meters (weighted)."""

    meters: tuple[MeterOutcome, ...]
    level: float
    """Weighted mean of the meters' continuous levels, -2..+2."""
    band: str
    """`level` rounded to the nearest GAS band."""
    t_score: float
    """Kiresuk-Sherman GAS T-score of the meters' integer levels (50 = as expected, sd 10)."""
    ending_scene: str | None
    ending: Ending | None

    @property
    def headline_level(self) -> int:
        """The ending's level when the scenario ended, else the meters' band level."""
        return self.ending.level if self.ending is not None else BAND_LEVEL[self.band]

    @property
    def scaled(self) -> float:
        """`level` mapped to 0..1 (0.5 = as expected): the xAPI completion score."""
        return round((self.level + 2) / 4, 4)


@dataclass(frozen=True, slots=True)
class TrustTrack:
    """One team member's (or the client's) trust across the kept branch."""

    person: str
    name: str
    start: int
    end: int
    series: tuple[tuple[int, int], ...]
    """(decision number, trust after it); decision 0 is the start."""
    breaches: int
    """Integrity breaches committed while this person's trust changed."""

    @property
    def low(self) -> int:
        return min(v for _, v in self.series)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation for a competency domain: `value` in 0..1, counted `weight` times."""

    seq: int
    scene: str
    choice: str
    value: float
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class DomainScore:
    """Competency evidence in one domain, as an ICAR-style band (None when not observed)."""

    domain: Domain
    evidence: tuple[Evidence, ...]
    score: float | None
    band: CompetencyBand | None

    @property
    def observed(self) -> bool:
        return self.score is not None


Flag = Literal["good_outcome_poor_process", "poor_outcome_sound_process"]

FLAG_TEXT: Final[dict[str, str]] = {
    "good_outcome_poor_process": (
        "A good outcome after weak process: the client did well, but the collaboration that "
        "got there would not reliably do so again. Worth discussing what carried the day."),
    "poor_outcome_sound_process": (
        "A poor outcome after sound process: the collaboration was good, and the client still "
        "did badly. Worth discussing what was outside the team's control."),
}


@dataclass(frozen=True, slots=True)
class Score:
    """Everything the debrief reports about one playthrough."""

    scenario_id: str
    decisions: tuple[Decision, ...]
    abandoned: tuple[Abandoned, ...]
    outcome: Outcome
    meter_series: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    """Per meter id: (decision number, value after it), starting at decision 0."""
    trust: tuple[TrustTrack, ...]
    competencies: tuple[DomainScore, ...]
    process_score: float | None
    process_band: CompetencyBand | None
    flag: Flag | None
    ended: bool

    @property
    def expert_matches(self) -> int:
        return sum(1 for d in self.decisions if d.matched)

    @property
    def decision_points(self) -> int:
        return sum(1 for d in self.decisions if d.expert is not None)

    @property
    def breaches(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.breach)

    @property
    def oversteps(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.oversteps)

    @property
    def flag_text(self) -> str | None:
        return FLAG_TEXT[self.flag] if self.flag else None


# --- the kept branch ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Frame:
    entry: LogEntry
    seq: int
    meters: dict[str, int]
    trust: dict[str, int]
    extra: list[Change] = field(default_factory=list)


def _add(values: dict[str, int], deltas: Iterable[tuple[str, int]]) -> None:
    for k, d in deltas:
        values[k] = values.get(k, 0) + d


def _merge(changes: Sequence[Change]) -> Change:
    """Sum several changes (a choice and the consequences and events that followed it)."""
    meters: dict[str, int] = {}
    trust: dict[str, int] = {}
    flags_set: list[str] = []
    flags_cleared: list[str] = []
    time = 0
    for c in changes:
        _add(meters, c.meters)
        _add(trust, c.trust)
        flags_set += c.flags_set
        flags_cleared += c.flags_cleared
        time += c.time
    return Change(tuple((k, v) for k, v in meters.items() if v),
                  tuple((k, v) for k, v in trust.items() if v),
                  tuple(flags_set), tuple(flags_cleared), time)


@dataclass(frozen=True, slots=True)
class Branch:
    """The branch a learner kept, what they took back, and where it ended."""

    decisions: tuple[Decision, ...]
    abandoned: tuple[Abandoned, ...]
    meters: dict[str, int]
    trust: dict[str, int]
    ending_scene: str | None


def split_branches(scenario: Scenario, log: Sequence[LogEntry]) -> Branch:
    """The decisions on the kept branch, the abandoned ones, and the final values.

    The log is append-only: an undo appends an `undone` entry rather than deleting the
    choice, so the kept branch is rebuilt with a stack. Values are carried forward from
    the scenario's start by the logged changes, and reset to the logged after-values where
    an entry has them, so a log that lacks consequences (one rebuilt from xAPI) still works.
    """
    start = scenario.initial_vars()
    meters, trust = dict(start.meters), dict(start.trust)
    stack: list[_Frame] = []
    abandoned: list[Abandoned] = []
    ending: str | None = None
    for seq, e in enumerate(log):
        if e.kind == "choice_made":
            stack.append(_Frame(e, seq, dict(meters), dict(trust)))
            _add(meters, e.change.meters)
            _add(trust, e.change.trust)
            if e.meters:
                meters.update(e.meters)
            if e.trust:
                trust.update(e.trust)
        elif e.kind == "undone":
            if not stack:
                continue
            frame = stack.pop()
            meters, trust = frame.meters, frame.trust
            ending = None  # an undo after the ending reopens the story
            abandoned.append(Abandoned(frame.seq, frame.entry.step, frame.entry.scene,
                                       frame.entry.choice or "", e.t,
                                       _merge([frame.entry.change, *frame.extra])))
        elif e.kind in ("consequence", "event_fired"):
            _add(meters, e.change.meters)
            _add(trust, e.change.trust)
            if stack:
                stack[-1].extra.append(e.change)
        elif e.kind == "ended":
            ending = e.scene
            if e.meters:
                meters.update(e.meters)
            if e.trust:
                trust.update(e.trust)
    decisions = []
    # after-values of each kept frame: the before-values of the next, or the final values
    for i, frame in enumerate(stack):
        after_m = stack[i + 1].meters if i + 1 < len(stack) else meters
        after_t = stack[i + 1].trust if i + 1 < len(stack) else trust
        e = frame.entry
        scene = scenario.scenes.get(e.scene)
        ch = None
        if scene is not None:
            ch = next((c for c in scene.choices if c.id == e.choice), None)
        decisions.append(Decision(
            seq=frame.seq, step=e.step, scene=e.scene, choice=e.choice or "", t=e.t,
            is_decision=bool(scene and scene.is_decision),
            expert=scene.expert.choice if scene and scene.expert else None,
            tags=ch.tags if ch else (), breach=ch.breach if ch else None,
            oversteps=ch.oversteps if ch else None,
            change=_merge([e.change, *frame.extra]),
            meters=tuple(after_m.items()), trust=tuple(after_t.items())))
    return Branch(tuple(decisions), tuple(abandoned), meters, trust, ending)


# --- outcome ---------------------------------------------------------------------------------


def meter_level(meter: Meter, value: int) -> float:
    """Continuous GAS level of a meter value: -2 at the worst end, 0 at expected, +2 at the best.

    Above `expected` the room is `max - expected`, below it `expected - min`, so a meter
    whose expected value sits near the top still reaches +2 at its max.

    >>> from simgame.scenario import Meter
    >>> meter_level(Meter("h", "Housing", 0, 100, 40, 1.0, 50), 75)
    1.0
    """
    d = value - meter.expected
    room = (meter.max - meter.expected) if d >= 0 else (meter.expected - meter.min)
    if d == 0 or room <= 0:
        return 0.0
    return max(-2.0, min(2.0, 2.0 * d / room))


def level_band(level: float) -> str:
    """The GAS band nearest a continuous level (halves round away from zero)."""
    n = math.floor(abs(level) + 0.5) * (1 if level >= 0 else -1)
    return LEVEL_BANDS[max(-2, min(2, n))]


def gas_t_score(levels: Sequence[int], weights: Sequence[float], rho: float = GAS_RHO) -> float:
    """Kiresuk & Sherman's GAS T-score: 50 + 10·Σwx / √((1-ρ)Σw² + ρ(Σw)²)."""
    sw = sum(weights)
    denom = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sw * sw)
    if denom == 0:
        return 50.0
    return round(50 + 10 * sum(w * x for w, x in zip(weights, levels, strict=True)) / denom, 2)


def score_outcome(scenario: Scenario, meters: dict[str, int], ending_scene: str | None) -> Outcome:
    """Outcome bands per meter and overall (weighted by each meter's `weight`)."""
    rows = []
    for m in scenario.meters:
        value = meters.get(m.id, m.start)
        lv = meter_level(m, value)
        rows.append(MeterOutcome(m.id, m.label, value, m.expected, m.weight, round(lv, 4),
                                 level_band(lv)))
    weights = [r.weight for r in rows]
    if sum(weights) <= 0:  # all weights 0: count every meter equally rather than divide by 0
        weights = [1.0] * len(rows)
    total = sum(weights)
    level = sum(w * r.level for w, r in zip(weights, rows, strict=True)) / total if rows else 0.0
    t_score = gas_t_score([BAND_LEVEL[r.band] for r in rows], weights)
    scene = scenario.scenes.get(ending_scene) if ending_scene else None
    return Outcome(tuple(rows), round(level, 4), level_band(level), t_score,
                   ending_scene if scene is not None else None,
                   scene.ending if scene is not None else None)


# --- competencies ----------------------------------------------------------------------------


def _evidence(scenario: Scenario, decisions: Sequence[Decision]) -> dict[str, list[Evidence]]:
    """Evidence per domain tag from the kept decisions.

    At a decision point, the expert's option shows what the domain asked for there: choosing
    it is full evidence for each of its tags; choosing something else is a missed
    opportunity (0) for the expert option's tags and partial credit for the chosen option's
    own tags if it was sound. A breach is evidence against each of the chosen option's tags
    and the client-centred domain, counted `BREACH_WEIGHT` times; an overstep is evidence
    against role clarification. Outside decision points a tagged, sound option is full
    evidence, because there was no better-known answer.
    """
    out: dict[str, list[Evidence]] = {d.tag: [] for d in DOMAINS}

    def add(tag: str, d: Decision, value: float, weight: float, reason: str) -> None:
        out.setdefault(tag, []).append(Evidence(d.seq, d.scene, d.choice, value, weight, reason))

    for d in decisions:
        scene = scenario.scenes.get(d.scene)
        sound = not d.breach and not d.oversteps
        if d.expert is not None and scene is not None:
            expert_tags = next((c.tags for c in scene.choices if c.id == d.expert), ())
            if d.matched:
                for tag in d.tags:
                    add(tag, d, 1.0, 1.0, "chose as the expert did")
            else:
                for tag in expert_tags:
                    add(tag, d, 0.0, 1.0, "missed the expert's option")
                if sound:
                    for tag in d.tags:
                        if tag not in expert_tags:
                            add(tag, d, PARTIAL_CREDIT, 1.0, "a sound option, not the expert's")
        elif sound:
            for tag in d.tags:
                add(tag, d, 1.0, 1.0, "a sound option")
        if d.breach:
            for tag in dict.fromkeys((*d.tags, "client_centred_care")):
                add(tag, d, 0.0, BREACH_WEIGHT, f"integrity breach: {d.breach}")
        if d.oversteps:
            add("role_clarification", d, 0.0, OVERSTEP_WEIGHT, f"oversteps the role: {d.oversteps}")
    return out


def competency_band(score: float) -> CompetencyBand:
    """The ICAR-style band of a 0..1 evidence score."""
    for lower, band in COMPETENCY_BANDS:
        if score >= lower:
            return band
    return "minimal"  # pragma: no cover - the last bound is 0


def _weighted(evidence: Sequence[Evidence]) -> float | None:
    total = sum(e.weight for e in evidence)
    if total <= 0:
        return None
    return round(sum(e.value * e.weight for e in evidence) / total, 4)


def score_competencies(scenario: Scenario, decisions: Sequence[Decision]) -> tuple[
        tuple[DomainScore, ...], float | None, CompetencyBand | None]:
    """Per-domain bands, and the pooled process score and band over all evidence."""
    ev = _evidence(scenario, decisions)
    known = {d.tag: d for d in DOMAINS}
    rows = []
    for tag, items in ev.items():
        domain = known.get(tag, Domain(tag, tag.replace("_", " ").capitalize(), "-"))
        s = _weighted(items)
        band = competency_band(s) if s is not None else None
        rows.append(DomainScore(domain, tuple(items), s, band))
    pooled = _weighted([e for items in ev.values() for e in items])
    return tuple(rows), pooled, competency_band(pooled) if pooled is not None else None


# --- trust -----------------------------------------------------------------------------------


def trust_tracks(scenario: Scenario, decisions: Sequence[Decision]) -> tuple[TrustTrack, ...]:
    """Each person's trust at the start and after every kept decision."""
    start = scenario.initial_vars().trust
    tracks = []
    for p in scenario.people:
        series = [(0, start.get(p.id, 0))]
        breaches = 0
        for n, d in enumerate(decisions, 1):
            series.append((n, dict(d.trust).get(p.id, series[-1][1])))
            if d.breach and any(k == p.id for k, _ in d.change.trust):
                breaches += 1
        tracks.append(TrustTrack(p.id, p.name, series[0][1], series[-1][1], tuple(series),
                                 breaches))
    return tuple(tracks)


def meter_series(scenario: Scenario, decisions: Sequence[Decision]) -> tuple[
        tuple[str, tuple[tuple[int, int], ...]], ...]:
    """Each meter's value at the start and after every kept decision."""
    start = scenario.initial_vars().meters
    out = []
    for m in scenario.meters:
        series = [(0, start[m.id])]
        for n, d in enumerate(decisions, 1):
            series.append((n, dict(d.meters).get(m.id, series[-1][1])))
        out.append((m.id, tuple(series)))
    return tuple(out)


# --- the whole score -------------------------------------------------------------------------


def process_outcome_flag(process_band: CompetencyBand | None, outcome_level: int) -> Flag | None:
    """Flag a mismatch between process and outcome as a debrief point.

    Good outcome means above expected (level > 0), poor means below (level < 0); weak process
    means minimal or developing, sound means competent or mastery.
    """
    if process_band is None:
        return None
    weak = process_band in ("minimal", "developing")
    if weak and outcome_level > 0:
        return "good_outcome_poor_process"
    if not weak and outcome_level < 0:
        return "poor_outcome_sound_process"
    return None


def score_log(scenario: Scenario, log: Sequence[LogEntry]) -> Score:
    """Score a playthrough from its log (a live session's, or one read back from records)."""
    branch = split_branches(scenario, log)
    decisions = branch.decisions
    outcome = score_outcome(scenario, branch.meters, branch.ending_scene)
    domains, process, band = score_competencies(scenario, decisions)
    return Score(
        scenario_id=scenario.id, decisions=decisions, abandoned=branch.abandoned, outcome=outcome,
        meter_series=meter_series(scenario, decisions), trust=trust_tracks(scenario, decisions),
        competencies=domains, process_score=process, process_band=band,
        flag=process_outcome_flag(band, outcome.headline_level),
        ended=branch.ending_scene is not None,
    )


def score_session(session: Session) -> Score:
    """Score a live session."""
    return score_log(session.scenario, session.log)
