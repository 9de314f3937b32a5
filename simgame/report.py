"""Debrief data: one playthrough's report, and the class report over many.

Pure: builds JSON-ready dicts from a scenario and logs (plus metadata the caller read
from the records database or an LRS); `report_render` turns them into HTML or Markdown.
Keeping the data separate from its presentation lets `--format json` give tools exactly
what the HTML shows, and keeps every wording decision in one place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any, Final

from simgame.scenario import BAND_LABEL, BAND_LEVEL, Scenario
from simgame.scoring import (
    COMPETENCY_LABEL,
    DOMAINS,
    FORMATIVE_NOTE,
    Abandoned,
    Decision,
    Score,
    level_band,
    meter_level,
    score_log,
)
from simgame.session import Change, LogEntry

REPORT_FORMAT: Final = 1
"""Version of the report JSON. Add fields freely; renaming or removing one bumps it."""


def _scenario_meta(sc: Scenario, recorded_sha256: str | None = None) -> dict[str, Any]:
    return {
        "id": sc.id, "title": sc.title, "version": sc.version, "sha256": sc.sha256,
        "recorded_sha256": recorded_sha256 or sc.sha256,
        "same_version": recorded_sha256 in (None, sc.sha256),
        "summary": sc.summary, "setting": sc.setting, "objectives": list(sc.objectives),
        "role": sc.role, "jurisdiction": sc.jurisdiction,
    }


def _choice_text(sc: Scenario, scene: str, choice: str) -> str:
    s = sc.scenes.get(scene)
    if s is None:
        return choice
    return next((c.text for c in s.choices if c.id == choice), choice)


def _describe_change(sc: Scenario, change: Change) -> dict[str, dict[str, int]]:
    def meter(k: str) -> str:
        return next((m.label for m in sc.meters if m.id == k), k)

    def person(k: str) -> str:
        return next((p.name for p in sc.people if p.id == k), k)

    return {"meters": {meter(k): d for k, d in change.meters if d},
            "trust": {person(k): d for k, d in change.trust if d}}


def _abandoned_json(sc: Scenario, a: Abandoned) -> dict[str, Any]:
    scene = sc.scenes.get(a.scene)
    ch = next((c for c in scene.choices if c.id == a.choice), None) if scene else None
    return {"scene": a.scene, "step": a.step, "choice": a.choice,
            "text": ch.text if ch else a.choice,
            "outcome": ch.feedback.outcome if ch and ch.feedback else None,
            "teaching": ch.feedback.teaching if ch and ch.feedback else None,
            "change": _describe_change(sc, a.change)}


def _decision_json(sc: Scenario, n: int, d: Decision, prev_t: float | None,
                   abandoned: list[dict[str, Any]]) -> dict[str, Any]:
    scene = sc.scenes.get(d.scene)
    ch = next((c for c in scene.choices if c.id == d.choice), None) if scene else None
    expert = None
    if scene is not None and scene.expert is not None:
        expert = {"choice": scene.expert.choice,
                  "text": _choice_text(sc, d.scene, scene.expert.choice),
                  "why": scene.expert.why}
    return {
        "n": n, "step": d.step, "scene": d.scene,
        "scene_title": (scene.title or scene.prompt or d.scene) if scene else d.scene,
        "t": d.t, "seconds": round(d.t - prev_t, 1) if d.t is not None and prev_t is not None
        else None,
        "choice": d.choice, "text": ch.text if ch else d.choice, "tags": list(d.tags),
        "is_decision": d.is_decision, "expert": expert, "matched": d.matched,
        "outcome": ch.feedback.outcome if ch and ch.feedback else None,
        "teaching": ch.feedback.teaching if ch and ch.feedback else None,
        "breach": d.breach, "oversteps": d.oversteps,
        "change": _describe_change(sc, d.change), "abandoned": abandoned,
    }


def _timeline(sc: Scenario, score: Score) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Kept decisions with the choices tried and taken back at the same point beside them."""
    tried: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for a in score.abandoned:
        tried[(a.scene, a.step)].append(_abandoned_json(sc, a))
    rows = []
    prev_t: float | None = 0.0
    for n, d in enumerate(score.decisions, 1):
        abandoned = tried.pop((d.scene, d.step), [])
        row = _decision_json(sc, n, d, prev_t, abandoned)
        prev_t = d.t
        # a story beat ("Continue.") teaches nothing in the debrief; `n` keeps counting so
        # the rows still line up with the charts' decision axis
        if d.is_decision or d.tags or d.breach or d.oversteps or row["teaching"] or abandoned:
            rows.append(row)
    leftover = [a for items in tried.values() for a in items]
    return rows, leftover


def build_report(sc: Scenario, log: Sequence[LogEntry], *,
                 session: dict[str, Any] | None = None) -> dict[str, Any]:
    """The debrief of one playthrough as JSON-ready data.

    Args:
        sc: the scenario played (loaded now; `session["scenario_sha256"]` says whether it is
            the same text that was played).
        log: the session's log.
        session: metadata from the records (player, started, seed, mode, status, duration_s).
    """
    meta = dict(session or {})
    score = score_log(sc, log)
    timeline, leftover = _timeline(sc, score)
    people = {p.id: p for p in sc.people}
    out = score.outcome
    return {
        "format": REPORT_FORMAT,
        "formative_note": FORMATIVE_NOTE,
        "scenario": _scenario_meta(sc, meta.get("scenario_sha256")),
        "session": meta,
        "ended": score.ended,
        "outcome": {
            "ending": None if out.ending is None else {
                "scene": out.ending_scene, "title": out.ending.title, "band": out.ending.band,
                "band_label": out.ending.label, "level": out.ending.level},
            "level": out.level, "band": out.band, "band_label": BAND_LABEL[out.band],
            "t_score": out.t_score, "scaled": out.scaled,
            "meters": [{"id": m.id, "label": m.label, "value": m.value, "expected": m.expected,
                        "weight": m.weight, "level": m.level, "band": m.band,
                        "band_label": m.band_label} for m in out.meters],
        },
        "process": {
            "score": score.process_score, "band": score.process_band,
            "band_label": COMPETENCY_LABEL.get(score.process_band or "", "not observed"),
            "expert_matches": score.expert_matches, "decision_points": score.decision_points,
            "domains": [{
                "tag": d.domain.tag, "cihc": d.domain.cihc, "ipec": d.domain.ipec,
                "score": d.score, "band": d.band,
                "band_label": COMPETENCY_LABEL[d.band] if d.band else "not observed",
                "evidence": [{"scene": e.scene, "choice": e.choice, "value": e.value,
                              "weight": e.weight, "reason": e.reason} for e in d.evidence],
            } for d in score.competencies],
        },
        "flag": {"id": score.flag, "text": score.flag_text} if score.flag else None,
        "meter_series": [{
            "id": m.id, "label": m.label, "min": m.min, "max": m.max, "expected": m.expected,
            "series": [[n, v] for n, v in series],
            "levels": [[n, round(meter_level(m, v), 3)] for n, v in series],
        } for m, (_, series) in zip(sc.meters, score.meter_series, strict=True)],
        "trust": [{
            "person": t.person, "name": t.name,
            "profession": "Client" if people[t.person].is_client else people[t.person].profession,
            "start": t.start, "end": t.end, "low": t.low, "breaches": t.breaches,
            "series": [[n, v] for n, v in t.series],
        } for t in score.trust],
        "timeline": timeline,
        "abandoned_elsewhere": leftover,
        "abandoned_count": len(score.abandoned),
        "integrity": {
            "breaches": [{"n": i, "scene": d.scene, "choice": d.choice, "what": d.breach}
                         for i, d in enumerate(score.decisions, 1) if d.breach],
            "oversteps": [{"n": i, "scene": d.scene, "choice": d.choice, "what": d.oversteps}
                          for i, d in enumerate(score.decisions, 1) if d.oversteps],
        },
        "debrief": None if sc.debrief is None else {
            "reactions": list(sc.debrief.reactions), "description": list(sc.debrief.description),
            "analysis": list(sc.debrief.analysis), "summary": list(sc.debrief.summary)},
        "resources": [{"name": r.name, "detail": r.detail} for r in sc.resources],
    }


# --- class report ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Play:
    """One learner's playthrough as the class report needs it."""

    player: str
    started: str
    log: tuple[LogEntry, ...]
    uid: str = ""


def _learner_labels(plays: Sequence[Play], names: bool) -> list[str]:
    """Names, or "Learner N" numbered by first appearance so one learner keeps one number."""
    if names:
        return [p.player for p in plays]
    numbers: dict[str, int] = {}
    return [f"Learner {numbers.setdefault(p.player, len(numbers) + 1)}" for p in plays]


def _mean(values: Sequence[float]) -> float | None:
    return round(mean(values), 2) if values else None


def build_class_report(sc: Scenario, plays: Sequence[Play], *, names: bool = False,
                       filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the class did at each decision point, where it ended, and where it left the
    expert path; anonymous unless `names`.

    Only the branch each learner kept counts towards the shares; choices taken back with
    undo are counted separately as "tried", since they are often the interesting ones.
    """
    scores = [score_log(sc, p.log) for p in plays]
    labels = _learner_labels(plays, names)
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    tried: dict[str, Counter[str]] = defaultdict(Counter)
    first_off: Counter[str] = Counter()
    for s in scores:
        for d in s.decisions:
            chosen[d.scene][d.choice] += 1
        for a in s.abandoned:
            tried[a.scene][a.choice] += 1
        off = next((d for d in s.decisions if d.matched is False), None)
        if off is not None:
            first_off[off.scene] += 1
    decisions = [_decision_point(sc, scene_id, chosen, tried, first_off)
                 for scene_id, scene in sc.scenes.items() if scene.is_decision]
    departures = sorted((d for d in decisions if d["expert"] and d["reached"]),
                        key=lambda d: (-d["off_expert_share"], -d["reached"]))
    ended = [s for s in scores if s.ended]
    return {
        "format": REPORT_FORMAT,
        "formative_note": FORMATIVE_NOTE,
        "scenario": _scenario_meta(sc),
        "filters": dict(filters or {}),
        "anonymous": not names,
        "sessions": len(plays), "ended": len(ended),
        "decisions": decisions,
        "departures": [{"scene": d["scene"], "title": d["title"], "reached": d["reached"],
                        "off_expert": d["off_expert"], "off_expert_share": d["off_expert_share"],
                        "first_departures": d["first_departures"]} for d in departures],
        "endings": _endings(sc, scores),
        "outcomes": _class_outcomes(sc, ended),
        "trust": [{
            "person": p.id, "name": p.name,
            "profession": "Client" if p.is_client else p.profession, "start": p.trust,
            "mean_end": _mean([next(t.end for t in s.trust if t.person == p.id) for s in ended]),
            "min_end": min((next(t.end for t in s.trust if t.person == p.id) for s in ended),
                           default=None),
            "max_end": max((next(t.end for t in s.trust if t.person == p.id) for s in ended),
                           default=None),
        } for p in sc.people],
        "competencies": [{
            "tag": dom.tag, "cihc": dom.cihc, "ipec": dom.ipec,
            "bands": dict(Counter(_band_of(s, dom.tag) for s in scores)),
        } for dom in DOMAINS],
        "learners": [{
            "learner": label, "started": p.started, "ended": s.ended,
            "ending": s.outcome.ending.title if s.outcome.ending else None,
            "band": s.outcome.ending.band if s.outcome.ending else None,
            "process_band": s.process_band, "expert_matches": s.expert_matches,
            "decision_points": s.decision_points, "breaches": len(s.breaches),
            "flag": s.flag,
        } for label, p, s in zip(labels, plays, scores, strict=True)],
    }


def _band_of(score: Score, tag: str) -> str:
    band = next((d.band for d in score.competencies if d.domain.tag == tag), None)
    return band or "not observed"


def _decision_point(sc: Scenario, scene_id: str, chosen: dict[str, Counter[str]],
                    tried: dict[str, Counter[str]], first_off: Counter[str]) -> dict[str, Any]:
    scene = sc.scenes[scene_id]
    counts = chosen.get(scene_id, Counter())
    reached = sum(counts.values())
    expert = scene.expert.choice if scene.expert else None
    options = []
    known = [c.id for c in scene.choices]
    for cid in known + [c for c in counts if c not in known]:
        ch = next((c for c in scene.choices if c.id == cid), None)
        n = counts.get(cid, 0)
        options.append({
            "choice": cid, "text": ch.text if ch else cid, "count": n,
            "share": round(n / reached, 4) if reached else 0.0, "is_expert": cid == expert,
            "tried": tried.get(scene_id, Counter()).get(cid, 0),
            "breach": ch.breach if ch else None, "oversteps": ch.oversteps if ch else None,
            "tags": list(ch.tags) if ch else [],
            "teaching": ch.feedback.teaching if ch and ch.feedback else None,
        })
    off = reached - counts.get(expert, 0) if expert else 0
    return {
        "scene": scene_id, "title": scene.title or scene.prompt or scene_id,
        "prompt": scene.prompt, "reached": reached,
        "expert": None if expert is None else {
            "choice": expert, "text": _choice_text(sc, scene_id, expert),
            "why": scene.expert.why if scene.expert else ""},
        "options": options, "off_expert": off,
        "off_expert_share": round(off / reached, 4) if reached and expert else 0.0,
        "first_departures": first_off.get(scene_id, 0),
        "split": sum(1 for o in options if o["count"]) > 1,
    }


def _endings(sc: Scenario, scores: Sequence[Score]) -> list[dict[str, Any]]:
    counts = Counter(s.outcome.ending_scene for s in scores if s.ended)
    total = len(scores)
    rows = []
    for scene in sorted(sc.endings, key=lambda e: -BAND_LEVEL[e.ending.band] if e.ending else 0):
        assert scene.ending is not None
        n = counts.get(scene.id, 0)
        rows.append({"scene": scene.id, "title": scene.ending.title, "band": scene.ending.band,
                     "band_label": scene.ending.label, "count": n,
                     "share": round(n / total, 4) if total else 0.0})
    not_ended = total - sum(counts.values())
    if not_ended:
        rows.append({"scene": None, "title": "Did not reach an ending", "band": None,
                     "band_label": "-", "count": not_ended, "share": round(not_ended / total, 4)})
    return rows


def _class_outcomes(sc: Scenario, ended: Sequence[Score]) -> dict[str, Any]:
    meters = []
    for i, m in enumerate(sc.meters):
        values = [s.outcome.meters[i].value for s in ended]
        levels = [s.outcome.meters[i].level for s in ended]
        lv = _mean(levels)
        meters.append({"id": m.id, "label": m.label, "expected": m.expected,
                       "mean": _mean(values), "min": min(values, default=None),
                       "max": max(values, default=None), "mean_level": lv,
                       "band": level_band(lv) if lv is not None else None,
                       "band_label": BAND_LABEL[level_band(lv)] if lv is not None else "-"})
    overall = _mean([s.outcome.level for s in ended])
    return {"meters": meters, "level": overall,
            "band_label": BAND_LABEL[level_band(overall)] if overall is not None else "-",
            "process": dict(Counter(s.process_band or "not observed" for s in ended)),
            "flags": dict(Counter(s.flag for s in ended if s.flag))}
