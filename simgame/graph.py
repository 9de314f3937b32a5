"""The scenario map: Mermaid and Graphviz DOT text from a compiled Scenario (pure, deterministic).

The map is drawn from the compiled `Scenario`, not from the YAML, so it shows what the
machine will actually do (resolved `next`s, events, compiled conditions) and is stable
enough to pin in golden files. Rendering DOT to SVG or PNG needs the Graphviz `dot`
program; that happens at the command-line edge (`simgame.commands.authoring`), never here.
"""

from __future__ import annotations

from typing import Final, Literal

from simgame.conditions import describe
from simgame.scenario import Choice, Event, Scenario, Scene

GraphFormat = Literal["mermaid", "dot"]

BAND_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "much_worse": ("#b2182b", "#ffffff"),
    "worse": ("#ef8a62", "#000000"),
    "expected": ("#f7f7f7", "#000000"),
    "better": ("#67a9cf", "#000000"),
    "much_better": ("#2166ac", "#ffffff"),
}
"""Fill and text colour per outcome band: a diverging red-to-blue scale (colour-blind safe)."""

EVENT_COLOUR: Final = "#7b3294"
_MAX_TITLE: Final = 40


def render(scenario: Scenario, fmt: GraphFormat) -> str:
    """The map of `scenario` as Mermaid or DOT text.

    >>> from simgame.compiler import load_scenario
    >>> render(load_scenario("tests/fixtures/mini.yaml"), "mermaid").splitlines()[1]
    'flowchart TD'
    """
    if fmt == "mermaid":
        return to_mermaid(scenario)
    if fmt == "dot":
        return to_dot(scenario)
    raise ValueError(f"unknown graph format {fmt!r}; use mermaid or dot")


# --- shared labels ------------------------------------------------------------------------


def _short(text: str | None) -> str:
    """A one-line title, cut so that nodes stay readable in a large map."""
    if not text:
        return ""
    one = " ".join(text.split())
    return one if len(one) <= _MAX_TITLE else one[: _MAX_TITLE - 1].rstrip() + "…"


def _scene_lines(scene: Scene) -> list[str]:
    lines = [scene.id]
    if scene.ending is not None:
        lines.append(_short(scene.ending.title))
        lines.append(f"ending: {scene.ending.band}")
    elif scene.title:
        lines.append(_short(scene.title))
    return lines


def _choice_lines(choice: Choice, scenario: Scenario) -> list[str]:
    lines = [choice.id]
    if choice.tags:
        lines.append("[" + ", ".join(choice.tags) + "]")
    if choice.condition is not None:
        lines.append("if " + describe(choice.condition, scenario))
    return lines


def _event_lines(event: Event, scenario: Scenario) -> list[str]:
    once = "" if event.once else " (repeats)"
    return [f"event {event.id}{once}", "when " + describe(event.condition, scenario)]


# --- Mermaid ------------------------------------------------------------------------------


def _mid(scene_id: str) -> str:
    """A Mermaid node id; prefixed because words such as `end` are reserved in flowcharts."""
    return f"s_{scene_id}"


def _mtext(lines: list[str]) -> str:
    """Mermaid label text: entity codes for characters the parser or HTML labels would eat."""
    out = []
    for line in lines:
        for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                         ("|", "#124;")):
            line = line.replace(ch, code)
        out.append(line)
    return '"' + "<br/>".join(out) + '"'


def to_mermaid(scenario: Scenario) -> str:
    """A Mermaid flowchart: solid edges for open choices, dashed for conditional ones,
    thick edges from event nodes, endings filled by band and the start scene outlined."""
    out = [f"%% {scenario.title} ({scenario.id} {scenario.version}): map drawn by simgame graph",
           "flowchart TD"]
    for scene in scenario.scenes.values():
        label = _mtext(_scene_lines(scene))
        shape = f"([{label}])" if scene.ending is not None else f"[{label}]"
        out.append(f"  {_mid(scene.id)}{shape}")
    for ev in scenario.events:
        out.append(f"  e_{ev.id}{{{{{_mtext(_event_lines(ev, scenario))}}}}}")
    for scene in scenario.scenes.values():
        for ch in scene.choices:
            arrow = "-.->" if ch.condition is not None else "-->"
            out.append(f"  {_mid(scene.id)} {arrow}|{_mtext(_choice_lines(ch, scenario))}| {_mid(ch.next)}")
    for ev in scenario.events:
        out.append(f"  e_{ev.id} ==> {_mid(ev.goto)}")
    out.append("  classDef start stroke-width:4px")
    for band, (fill, text) in BAND_COLOURS.items():
        out.append(f"  classDef {band} fill:{fill},color:{text}")
    out.append(f"  classDef event fill:#ffffff,stroke:{EVENT_COLOUR},color:{EVENT_COLOUR}")
    out.append(f"  class {_mid(scenario.start)} start")
    for scene in scenario.endings:
        assert scene.ending is not None
        out.append(f"  class {_mid(scene.id)} {scene.ending.band}")
    if scenario.events:
        out.append("  class " + ",".join(f"e_{ev.id}" for ev in scenario.events) + " event")
    return "\n".join(out) + "\n"


# --- DOT ----------------------------------------------------------------------------------


def _dtext(lines: list[str]) -> str:
    """A quoted DOT string whose lines are centred (`\\n`)."""
    escaped = [ln.replace("\\", "\\\\").replace('"', '\\"') for ln in lines]
    return '"' + "\\n".join(escaped) + '"'


def to_dot(scenario: Scenario) -> str:
    """A Graphviz digraph with the same content as `to_mermaid`."""
    title = _dtext([f"{scenario.title} ({scenario.id} {scenario.version})"])
    out = [
        f"digraph {_dtext([scenario.id])} {{",
        f"  graph [rankdir=TB, label={title}, labelloc=t, fontname=Helvetica];",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    for scene in scenario.scenes.values():
        attrs = [f"label={_dtext(_scene_lines(scene))}"]
        if scene.ending is not None:
            fill, text = BAND_COLOURS[scene.ending.band]
            attrs += ["shape=box", 'style="rounded,filled,bold"', f'fillcolor="{fill}"', f'fontcolor="{text}"']
        if scene.id == scenario.start:
            attrs.append("penwidth=3")
        out.append(f"  {_dtext([scene.id])} [{', '.join(attrs)}];")
    for ev in scenario.events:
        out.append(f'  {_dtext(["event:" + ev.id])} [label={_dtext(_event_lines(ev, scenario))}, '
                   f'shape=hexagon, style=solid, color="{EVENT_COLOUR}", fontcolor="{EVENT_COLOUR}"];')
    for scene in scenario.scenes.values():
        for ch in scene.choices:
            style = ", style=dashed" if ch.condition is not None else ""
            out.append(f"  {_dtext([scene.id])} -> {_dtext([ch.next])} "
                       f"[label={_dtext(_choice_lines(ch, scenario))}{style}];")
    for ev in scenario.events:
        out.append(f'  {_dtext(["event:" + ev.id])} -> {_dtext([ev.goto])} '
                   f'[style=bold, color="{EVENT_COLOUR}"];')
    out.append("}")
    return "\n".join(out) + "\n"


__all__ = ["BAND_COLOURS", "GraphFormat", "render", "to_dot", "to_mermaid"]
