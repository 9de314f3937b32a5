"""Headless playthroughs: policies that pick choices, and summaries of one run or many."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simgame.scenario import Choice, Scenario
from simgame.session import Session

MAX_STEPS = 10_000
"""A run that has not ended after this many choices is reported as not ended (a loop)."""

Policy = Callable[[Session], Choice]


class PolicyError(ValueError):
    """A policy name or choice list that cannot be used."""


def first_policy(session: Session) -> Choice:
    """Always the first available choice."""
    return session.available()[0]


def random_policy(session: Session) -> Choice:
    """A uniformly random available choice, from the session's seeded generator."""
    options = session.available()
    return options[session.rng.randrange(len(options))]


def expert_policy(session: Session) -> Choice:
    """The expert's choice where the scene names one and it is available; else the first."""
    expert = session.scene.expert
    options = session.available()
    if expert is not None:
        for ch in options:
            if ch.id == expert.choice:
                return ch
    return options[0]


def choices_policy(ids: Sequence[str]) -> Policy:
    """Play the given choice ids in order (bare ids, or scene.choice keys)."""
    queue = list(ids)

    def pick(session: Session) -> Choice:
        if not queue:
            raise PolicyError(f"the choice list ran out in scene {session.state!r} before an ending")
        wanted = queue.pop(0)
        scene, _, cid = wanted.rpartition(".")
        if scene and scene != session.state:
            raise PolicyError(f"choice {wanted!r} is for scene {scene!r}, but the story is at {session.state!r}")
        for ch in session.available():
            if ch.id == cid:
                return ch
        offered = ", ".join(c.id for c in session.available())
        raise PolicyError(f"choice {cid!r} is not available in scene {session.state!r} (offered: {offered})")

    return pick


def parse_policy(text: str) -> Policy:
    """`first`, `random`, `expert` or `choices:ID,ID,...`."""
    named = {"first": first_policy, "random": random_policy, "expert": expert_policy}
    if text in named:
        return named[text]
    if text.startswith("choices:"):
        ids = [c.strip() for c in text[len("choices:") :].split(",") if c.strip()]
        if not ids:
            raise PolicyError("choices: needs at least one choice id, e.g. choices:ask_first,listen")
        return choices_policy(ids)
    raise PolicyError(f"unknown policy {text!r}; use first, random, expert or choices:ID,ID,...")


def play_out(scenario: Scenario, policy: Policy, *, seed: int = 0, max_steps: int = MAX_STEPS) -> Session:
    """Run one playthrough to its ending (or `max_steps`)."""
    session = Session(scenario, seed=seed)
    steps = 0
    while not session.is_over and steps < max_steps:
        if not session.available():
            break
        session.choose(policy(session).id)
        steps += 1
    return session


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one headless run produced."""

    scenario: str
    seed: int
    ended: bool
    ending: str | None
    band: str | None
    title: str | None
    path: tuple[str, ...]
    meters: dict[str, int]
    trust: dict[str, int]
    clock: int
    tags: dict[str, int]
    expert_matches: int
    decisions: int
    stuck: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "ended": self.ended,
            "ending": self.ending,
            "band": self.band,
            "title": self.title,
            "steps": len(self.path),
            "path": list(self.path),
            "meters": self.meters,
            "trust": self.trust,
            "clock": self.clock,
            "competencies": self.tags,
            "expert_matches": self.expert_matches,
            "decisions": self.decisions,
            "stuck": self.stuck,
        }


def summarize(session: Session) -> RunSummary:
    """Summarise a finished (or stopped) session."""
    sc = session.scenario
    tags: Counter[str] = Counter()
    matches = decisions = 0
    for key in session.path:
        scene_id, cid = key.split(".", 1)
        scene = sc.scenes[scene_id]
        tags.update(scene.choice(cid).tags)
        if scene.expert is not None:
            decisions += 1
            matches += scene.expert.choice == cid
    ending = session.ending
    return RunSummary(
        scenario=sc.id,
        seed=session.seed,
        ended=ending is not None,
        ending=session.state if ending else None,
        band=ending.band if ending else None,
        title=ending.title if ending else None,
        path=session.path,
        meters=session.meters,
        trust=session.trust,
        clock=session.clock,
        tags=dict(sorted(tags.items())),
        expert_matches=matches,
        decisions=decisions,
        stuck=ending is None and not session.available(),
    )


def aggregate(summaries: Sequence[RunSummary]) -> dict[str, Any]:
    """Endings distribution and meter/trust ranges over many runs."""
    endings = Counter(s.ending or "(did not end)" for s in summaries)
    bands = Counter(s.band or "(did not end)" for s in summaries)

    def ranges(get: Callable[[RunSummary], dict[str, int]]) -> dict[str, dict[str, float]]:
        keys = get(summaries[0]).keys() if summaries else []
        out = {}
        for k in keys:
            values = [get(s)[k] for s in summaries]
            out[k] = {"min": min(values), "mean": round(sum(values) / len(values), 2), "max": max(values)}
        return out

    steps = [len(s.path) for s in summaries]
    return {
        "scenario": summaries[0].scenario if summaries else None,
        "runs": len(summaries),
        "first_seed": summaries[0].seed if summaries else None,
        "endings": dict(sorted(endings.items())),
        "bands": dict(sorted(bands.items())),
        "not_ended": sum(not s.ended for s in summaries),
        "stuck": sum(s.stuck for s in summaries),
        "steps": {"min": min(steps), "mean": round(sum(steps) / len(steps), 2), "max": max(steps)} if steps else {},
        "meters": ranges(lambda s: s.meters),
        "trust": ranges(lambda s: s.trust),
    }
