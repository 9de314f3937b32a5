"""Spec -> Scenario: validate the shape, resolve ids, build conditions and effects, collect every Issue.

Three stages, each collecting all it finds: YAML (source.py), shape (schema.py through
pydantic), then references (here). A later stage runs only when the one before found no
errors, because cross-checking a file of the wrong shape gives noise, not help.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from simgame import schema as s
from simgame.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    FlagSet,
    Not,
    Visited,
    compile_condition,
    flags_read,
)
from simgame.errors import Issue, ScenarioError, Span, did_you_mean
from simgame.scenario import (
    NO_EFFECTS,
    Choice,
    Clock,
    Consequence,
    Debrief,
    Effects,
    Ending,
    Event,
    Expert,
    Feedback,
    Line,
    Meter,
    Person,
    Resource,
    Scenario,
    Scene,
)
from simgame.source import MAX_BYTES, Positions, paused_gc, read_yaml
from simgame.source import Path as DataPath

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
"""The shipped assets folder (portraits, fonts) beside the package in a source checkout."""

SPEAKERS_BUILTIN = ("you", "narrator")


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and compile one scenario file.

    Raises:
        ScenarioError: listing every problem found, each with file:line:column.
    """
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(
                [
                    Issue(
                        "error",
                        f"the file is {size / 1048576:.1f} MiB; scenario "
                        f"files may be at most {MAX_BYTES // 1048576} MiB",
                        Span(name, 1, 1),
                    )
                ]
            )
        if not path.is_file():
            raise ScenarioError([Issue("error", "not a file", Span(name, 1, 1))])
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Issue("error", "no such file", Span(name, 1, 1))]) from None
    except OSError as exc:
        raise ScenarioError([Issue("error", f"cannot read the file: {exc.strerror}", Span(name, 1, 1))]) from None
    return compile_source(data, filename=name, base_dir=path.resolve().parent)


def compile_source(text: str | bytes, *, filename: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """Compile scenario text. `base_dir` is where relative asset paths are looked up first.

    >>> compile_source(Path("tests/fixtures/mini.yaml").read_bytes(), filename="mini.yaml").id
    'mini'

    Raises:
        ScenarioError: listing every problem found.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with paused_gc():
        # The YAML nodes, plain data and pydantic models die when _compile returns, still
        # inside the pause, so the collector never has to scan them (at 10,000 scenes that
        # scan took longer than parsing).
        return _compile(raw, filename, base_dir)


def _compile(raw: bytes, filename: str, base_dir: Path | None) -> Scenario:
    data, positions = read_yaml(raw, filename)
    try:
        spec = s.ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_shape_issues(exc, data, positions)) from None
    return _Compiler(spec, positions, data, base_dir).run(hashlib.sha256(raw).hexdigest())


# --- shape errors -------------------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "float_type": "a number",
    "int_from_float": "a whole number",
}


def _shape_issues(exc: ValidationError, data: Any, positions: Positions) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[tuple[DataPath, str]] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        is_key = "[key]" in loc
        path: DataPath = tuple(p for p in loc if p != "[key]")
        if (path, err["type"]) in seen:
            continue
        seen.add((path, err["type"]))
        issues.append(_shape_issue(err, path, is_key, data, positions))
    return issues


def _shape_issue(err: Any, path: DataPath, is_key: bool, data: Any, positions: Positions) -> Issue:
    kind = err["type"]
    where = _where(data, path[:-1]) if path else "the scenario"
    field = path[-1] if path else ""
    value = err.get("input")
    hint = None
    if kind == "missing":
        msg = f"{where} is missing the required key {field!r}"
        span = positions.span(path[:-1], key=True)
        return Issue("error", msg, span)
    span = positions.span(path, key=is_key or kind == "extra_forbidden")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        hint = did_you_mean(str(field), allowed)
        if hint is None and allowed:
            hint = "allowed keys: " + ", ".join(allowed)
        return Issue("error", f"unknown key {field!r} in {where}", span, hint)
    if isinstance(field, str):
        what = f"{field!r} in {where}"
    else:
        parent = path[-2] if len(path) > 1 else ""
        what = f"item {field + 1} of {parent!r} in {_where(data, path[:-2])}"
    if kind in _TYPE_WORDS:
        msg = f"{what} should be {_TYPE_WORDS[kind]}, got {_show(value)}"
        if kind == "string_type" and isinstance(value, int | float | bool):
            hint = f'put it in quotes: "{value}"'
        elif kind == "int_type" and isinstance(value, str):
            hint = "write a number without quotes"
        return Issue("error", msg, span, hint)
    if kind == "string_pattern_mismatch":
        target = "key" if is_key else "id"
        return Issue(
            "error",
            f"{_show(value)} is not a valid {target} ({what}): use lower-case "
            "letters, digits and _, starting with a letter",
            span,
            f"try {_slug(str(value))!r}" if value else None,
        )
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        hint = did_you_mean(str(value), options)
        return Issue("error", f"{what} is {_show(value)}; expected {expected}", span, hint)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return Issue("error", f"{what} {err['msg'].lower().replace('input ', '')}, got {_show(value)}", span)
    if kind in ("too_short", "string_too_short"):
        return Issue("error", f"{what} must not be empty", span)
    if kind == "string_too_long":
        return Issue("error", f"{what} is too long: {err['msg'].lower()}", span)
    return Issue("error", f"{what}: {err['msg']}", span)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")
    return out if out[:1].isalpha() else f"x_{out}"


_NAMED = {
    "scenes": "scene",
    "choices": "choice",
    "team": "team member",
    "meters": "meter",
    "events": "event",
    "consequences": "consequence",
    "lines": "line",
}


def _where(data: Any, path: DataPath) -> str:
    """Name the innermost thing at `path`, such as "choice 'leave' in scene 'lobby'"."""
    names: list[str] = []
    node = data
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and i > 0 and isinstance(path[i - 1], str):
            kind = _NAMED.get(str(path[i - 1]), str(path[i - 1]))
            ident = node.get("id") if isinstance(node, dict) else None
            names.append(f"{kind} {ident!r}" if isinstance(ident, str) else f"{kind} {part + 1}")
        elif isinstance(part, str) and part in (
            "client",
            "clock",
            "jurisdiction",
            "debrief",
            "effects",
            "feedback",
            "when",
            "expert",
            "ending",
        ):
            names.append(part)
    if not names:
        return "the scenario" if not path else repr(path[-1])
    return " in ".join(reversed(names[-2:]))


def _allowed_keys(path: DataPath) -> list[str]:
    """The keys the model allows at `path`, for "did you mean"."""
    model: Any = s.ScenarioSpec
    for part in path:
        model = _child_model(model, part)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _child_model(model: Any, part: str | int) -> Any:
    import typing

    def unwrap(tp: Any) -> Any:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            return unwrap(typing.get_args(tp)[0])
        if origin in (typing.Union, __import__("types").UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            return unwrap(args[0]) if args else None
        return tp

    model = unwrap(model)
    if isinstance(part, int):
        origin = typing.get_origin(model)
        return unwrap(typing.get_args(model)[0]) if origin is list else None
    if typing.get_origin(model) is dict:
        return unwrap(typing.get_args(model)[1])
    if isinstance(model, type) and issubclass(model, BaseModel):
        for name, f in model.model_fields.items():
            if part in (name, f.alias):
                return unwrap(f.annotation)
    return None


# --- references ---------------------------------------------------------------------------


class _Compiler:
    """Cross-checks a shape-valid spec and builds the runtime Scenario."""

    def __init__(self, spec: s.ScenarioSpec, positions: Positions, data: Any, base_dir: Path | None) -> None:
        self.spec = spec
        self.pos = positions
        self.data = data
        self.base_dir = base_dir
        self.issues: list[Issue] = []
        self.scene_ids = {sc.id for sc in spec.scenes}
        self.people_ids = [spec.client.id, *(p.id for p in spec.team)]
        self.meter_ids = [m.id for m in spec.meters]
        self.flags_set: set[str] = set()
        self.flags_read: dict[str, DataPath] = {}

    def error(self, path: DataPath, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.issues.append(Issue("error", message, self.pos.span(path, key=key), hint))

    def warn(self, path: DataPath, message: str, hint: str | None = None) -> None:
        self.issues.append(Issue("warning", message, self.pos.span(path), hint))

    def unknown(
        self, path: DataPath, what: str, value: str, known: Iterable[str], context: str, *, key: bool = False
    ) -> None:
        """Report an id that names nothing; `key=True` when the id is a mapping key."""
        self.error(path, f"{context} {what} {value!r}, which does not exist", did_you_mean(value, known), key=key)

    def run(self, sha256: str) -> Scenario:
        spec = self.spec
        self._check_unique(
            [spec.client.id, *(p.id for p in spec.team)],
            ("team",),
            "person",
            [("client",), *[("team", i) for i in range(len(spec.team))]],
        )
        self._check_unique(self.meter_ids, ("meters",), "meter", [("meters", i) for i in range(len(spec.meters))])
        self._check_unique(
            [sc.id for sc in spec.scenes], ("scenes",), "scene", [("scenes", i) for i in range(len(spec.scenes))]
        )
        self._check_unique(
            [e.id for e in spec.events], ("events",), "event", [("events", i) for i in range(len(spec.events))]
        )
        client = self._person(spec.client, ("client",), is_client=True)
        team = tuple(self._person(p, ("team", i)) for i, p in enumerate(spec.team))
        meters = tuple(self._meter(m, i) for i, m in enumerate(spec.meters))
        clock = self._clock()
        if spec.start not in self.scene_ids:
            self.unknown(("start",), "scene", spec.start, self.scene_ids, "'start' names")
        scenes = {sc.id: self._scene(sc, i) for i, sc in enumerate(spec.scenes)}
        events = tuple(self._event(e, i) for i, e in enumerate(spec.events))
        self._check_flags()
        self._check_reachable(scenes, events)
        if not any(sc.ending for sc in spec.scenes):
            self.error(("scenes",), "the scenario has no ending: mark at least one scene with 'ending:'")
        errors = [i for i in self.issues if i.severity == "error"]
        if errors:
            raise ScenarioError(sorted(self.issues, key=_issue_order))
        d = spec.debrief
        return Scenario(
            id=spec.id,
            title=spec.title,
            summary=spec.summary,
            setting=spec.setting,
            minutes=spec.minutes,
            version=spec.version,
            authors=tuple(spec.authors),
            reviewers=tuple(spec.reviewers),
            jurisdiction=spec.jurisdiction.name,
            jurisdiction_rules=tuple(spec.jurisdiction.rules),
            role=spec.role,
            objectives=tuple(spec.objectives),
            content_notes=tuple(spec.content_notes),
            fiction_contract=spec.fiction_contract,
            resources=tuple(Resource(r.name, r.detail) for r in spec.resources),
            client=client,
            team=team,
            meters=meters,
            clock=clock,
            start=spec.start,
            scenes=scenes,
            events=events,
            debrief=Debrief(tuple(d.reactions), tuple(d.description), tuple(d.analysis), tuple(d.summary))
            if d
            else None,
            path=self.pos.filename,
            sha256=sha256,
            warnings=tuple(sorted(self.issues, key=_issue_order)),
        )

    def _check_unique(self, ids: list[str], where: DataPath, what: str, paths: list[DataPath]) -> None:
        first: dict[str, DataPath] = {}
        for ident, path in zip(ids, paths, strict=True):
            if ident in first:
                line = self.pos.span((*first[ident], "id")).line
                self.error((*path, "id"), f"duplicate {what} id {ident!r} (first at line {line})")
            else:
                first[ident] = path

    def _person(self, p: s.PersonSpec | s.ClientSpec, path: DataPath, *, is_client: bool = False) -> Person:
        portrait = self._asset(p.portrait, (*path, "portrait")) if p.portrait else None
        if isinstance(p, s.ClientSpec):
            return Person(p.id, p.name, "client", p.about, (), (), p.trust, portrait, True, tuple(p.goals))
        return Person(
            p.id, p.name, p.profession, p.about or "", tuple(p.does), tuple(p.cannot), p.trust, portrait, is_client
        )

    def _asset(self, ref: str, path: DataPath) -> Path | None:
        pure = PurePosixPath(ref.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or (len(ref) > 1 and ref[1] == ":"):
            self.error(
                path,
                f"asset path {ref!r} must stay inside the scenario's folder or the "
                "shipped assets (no '..', no absolute paths)",
            )
            return None
        roots = [r for r in (self.base_dir, ASSETS_DIR) if r is not None]
        for root in roots:
            candidate = (root / pure).resolve()
            if candidate.is_file() and candidate.is_relative_to(root.resolve()):
                return candidate
        self.error(path, f"asset {ref!r} not found", "looked in " + " and ".join(str(r) for r in roots))
        return None

    def _meter(self, m: s.MeterSpec, i: int) -> Meter:
        path: DataPath = ("meters", i)
        if m.min >= m.max:
            self.error((*path, "max"), f"meter {m.id!r} has max {m.max} not above min {m.min}")
        elif not m.min <= m.start <= m.max:
            self.error((*path, "start"), f"meter {m.id!r} starts at {m.start}, outside {m.min}..{m.max}")
        expected = m.expected if m.expected is not None else m.start
        if m.expected is not None and not m.min <= m.expected <= m.max:
            self.error((*path, "expected"), f"meter {m.id!r} expects {m.expected}, outside {m.min}..{m.max}")
        return Meter(m.id, m.label, m.min, m.max, m.start, float(m.weight), expected)

    def _clock(self) -> Clock | None:
        c = self.spec.clock
        if c is None:
            return None
        if c.deadline is not None and c.deadline <= c.start:
            self.error(("clock", "deadline"), f"the clock's deadline {c.deadline} must come after its start {c.start}")
        return Clock(c.label, c.unit, c.start, c.deadline)

    def _scene(self, sc: s.SceneSpec, i: int) -> Scene:
        path: DataPath = ("scenes", i)
        lines = []
        line_ids: dict[str, int] = {}
        for n, ln in enumerate(sc.lines, 1):
            lpath = (*path, "lines", n - 1)
            if ln.speaker not in self.people_ids and ln.speaker not in SPEAKERS_BUILTIN:
                self.error(
                    (*lpath, "speaker"),
                    f"speaker {ln.speaker!r} is not in the cast",
                    did_you_mean(ln.speaker, [*self.people_ids, *SPEAKERS_BUILTIN]),
                )
            lid = ln.id or f"{sc.id}_l{n}"
            if lid in line_ids:
                self.error((*lpath, "id"), f"duplicate line id {lid!r} in scene {sc.id!r}")
            line_ids[lid] = n
            lines.append(Line(lid, ln.speaker, ln.text))
        self._check_unique(
            [c.id for c in sc.consequences],
            (*path, "consequences"),
            "consequence",
            [(*path, "consequences", k) for k in range(len(sc.consequences))],
        )
        consequences = tuple(
            Consequence(
                c.id,
                cond := self._condition(c.when, (*path, "consequences", k, "when")),
                compile_condition(cond),
                self._effects(c.effects, (*path, "consequences", k, "effects")),
                c.text,
            )
            for k, c in enumerate(sc.consequences)
        )
        self._check_unique(
            [c.id for c in sc.choices],
            (*path, "choices"),
            "choice",
            [(*path, "choices", k) for k in range(len(sc.choices))],
        )
        choices = tuple(self._choice(c, sc.id, (*path, "choices", k)) for k, c in enumerate(sc.choices))
        expert = None
        if sc.expert is not None:
            expert = Expert(sc.expert.choice, sc.expert.why)
            ids = [c.id for c in sc.choices]
            if sc.expert.choice not in ids:
                self.unknown((*path, "expert", "choice"), "choice", sc.expert.choice, ids, "the expert picks")
        ending = Ending(sc.ending.band, sc.ending.title) if sc.ending else None
        if ending and choices:
            self.error(
                (*path, "ending"),
                f"scene {sc.id!r} is an ending but also has choices",
                "an ending is a final scene: remove its choices or its 'ending'",
            )
        elif not ending and not choices:
            self.error(
                path,
                f"scene {sc.id!r} has no choices and is not an ending",
                "add choices, or mark it with 'ending: {band: ..., title: ...}'",
            )
        if choices and all(c.condition is not None for c in choices):
            self.warn(
                (*path, "choices"),
                f"every choice in scene {sc.id!r} has a condition; if none holds the player is stuck",
                "give one choice no 'when'",
            )
        if sum(c.condition is None for c in choices) > 1 and expert is None:
            self.warn(
                path,
                f"scene {sc.id!r} offers a decision but names no expert choice",
                "add 'expert: {choice: ..., why: ...}'",
            )
        return Scene(
            sc.id,
            sc.title,
            sc.text,
            tuple(lines),
            consequences,
            sc.prompt,
            choices,
            expert,
            ending,
            self.pos.span(path),
        )

    def _choice(self, c: s.ChoiceSpec, scene_id: str, path: DataPath) -> Choice:
        if c.next not in self.scene_ids:
            self.unknown((*path, "next"), "scene", c.next, self.scene_ids, f"choice {c.id!r} goes to")
        cond = self._condition(c.when, (*path, "when")) if c.when else None
        if c.locked_reason and cond is None:
            self.warn(
                (*path, "locked_reason"), f"choice {c.id!r} has a locked_reason but no 'when', so it is never locked"
            )
        return Choice(
            id=c.id,
            scene=scene_id,
            text=c.text,
            tags=tuple(c.tags),
            condition=cond,
            test=compile_condition(cond) if cond else None,
            locked_reason=c.locked_reason,
            effects=self._effects(c.effects, (*path, "effects")),
            feedback=Feedback(c.feedback.outcome, c.feedback.teaching) if c.feedback else None,
            oversteps=c.oversteps,
            breach=c.breach,
            next=c.next,
            span=self.pos.span(path),
        )

    def _event(self, e: s.EventSpec, i: int) -> Event:
        path: DataPath = ("events", i)
        if e.goto not in self.scene_ids:
            self.unknown((*path, "goto"), "scene", e.goto, self.scene_ids, f"event {e.id!r} goes to")
        cond = self._condition(e.when, (*path, "when"))
        return Event(
            e.id, cond, compile_condition(cond), e.goto, e.text, self._effects(e.effects, (*path, "effects")), e.once
        )

    def _effects(self, e: s.EffectsSpec | None, path: DataPath) -> Effects:
        if e is None:
            return NO_EFFECTS
        for key in e.meters or {}:
            if key not in self.meter_ids:
                self.unknown((*path, "meters", key), "meter", key, self.meter_ids, "effect on", key=True)
        for key in e.trust or {}:
            if key not in self.people_ids:
                self.unknown((*path, "trust", key), "person", key, self.people_ids, "trust effect on", key=True)
        if e.time and self.spec.clock is None:
            self.error((*path, "time"), "'time' passes but the scenario has no clock", "add a 'clock:' section")
        self.flags_set.update(e.set_flags or ())
        return Effects(
            meters=tuple((e.meters or {}).items()),
            trust=tuple((e.trust or {}).items()),
            set_flags=tuple(e.set_flags or ()),
            clear_flags=tuple(e.clear_flags or ()),
            time=e.time or 0,
        )

    def _condition(self, c: s.ConditionSpec, path: DataPath) -> Condition:
        parts: list[Condition] = []
        for key, cmp in (c.meters or {}).items():
            if key not in self.meter_ids:
                self.unknown((*path, "meters", key), "meter", key, self.meter_ids, "condition on", key=True)
            parts.extend(self._compare("meter", key, cmp, (*path, "meters", key)))
        for key, cmp in (c.trust or {}).items():
            if key not in self.people_ids:
                self.unknown((*path, "trust", key), "person", key, self.people_ids, "condition on trust of", key=True)
            parts.extend(self._compare("trust", key, cmp, (*path, "trust", key)))
        if c.clock is not None:
            if self.spec.clock is None:
                self.error(
                    (*path, "clock"), "condition on the clock, but the scenario has no clock", "add a 'clock:' section"
                )
            parts.extend(self._compare("clock", "", c.clock, (*path, "clock")))
        for k, flag in enumerate(c.flags or ()):
            self.flags_read.setdefault(flag, (*path, "flags", k))
            parts.append(FlagSet(flag))
        for k, scene in enumerate(c.visited or ()):
            if scene not in self.scene_ids:
                self.unknown((*path, "visited", k), "scene", scene, self.scene_ids, "condition on visiting")
            parts.append(Visited(scene))
        for key, items in (("all", c.all), ("any", c.any)):
            if items is not None:
                subs = tuple(self._condition(x, (*path, key, k)) for k, x in enumerate(items))
                if not subs:
                    self.error((*path, key), f"'{key}' needs at least one condition")
                parts.append(AllOf(subs) if key == "all" else AnyOf(subs))
        if c.not_ is not None:
            parts.append(Not(self._condition(c.not_, (*path, "not"))))
        if not parts:
            self.error(path, "empty condition", "use e.g. {flags: [consent_given]} or {trust: {okafor: {gte: 40}}}")
            return AllOf(())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _compare(self, source: Any, key: str, cmp: s.CompareSpec, path: DataPath) -> list[Condition]:
        ops = [(op, v) for op, v in cmp.model_dump().items() if v is not None]
        if not ops:
            self.error(path, "comparison needs one of lt, lte, gt, gte, eq, ne", "e.g. {gte: 40}")
        return [Compare(source, key, op, v) for op, v in ops]

    def _check_flags(self) -> None:
        for flag, path in self.flags_read.items():
            if flag not in self.flags_set:
                self.warn(path, f"flag {flag!r} is read but never set", did_you_mean(flag, self.flags_set))

    def _check_reachable(self, scenes: dict[str, Scene], events: tuple[Event, ...]) -> None:
        if self.spec.start not in scenes:
            return
        seen = {self.spec.start}
        queue = deque([self.spec.start])
        gotos = [e.goto for e in events]
        while queue:
            scene = scenes[queue.popleft()]
            targets = [c.next for c in scene.choices] + (gotos if scene.choices else [])
            for t in targets:
                if t in scenes and t not in seen:
                    seen.add(t)
                    queue.append(t)
        for i, sc in enumerate(self.spec.scenes):
            if sc.id not in seen:
                self.warn(("scenes", i), f"scene {sc.id!r} cannot be reached from {self.spec.start!r}")


def _issue_order(issue: Issue) -> tuple[int, int, int]:
    span = issue.span
    return (span.line, span.column, 0 if issue.severity == "error" else 1) if span else (0, 0, 0)


__all__ = ["compile_source", "flags_read", "load_scenario"]
