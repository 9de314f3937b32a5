"""Render report data (from `simgame.report`) as self-contained HTML, Markdown or JSON.

Pure: no files, no clock, no network. HTML goes through Jinja2 with autoescaping always on,
and the charts are inline SVG drawn here, with every label escaped, so a report is one
file that opens offline and cannot run scenario or player text as markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Final

import jinja2
from markupsafe import Markup

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"

PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe-Ito colours, distinguishable with the common colour-vision deficiencies."""

DASHES: Final = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2")
"""One dash pattern per series as well as a colour, so a black-and-white print still tells
the lines apart."""

GAS_TICKS: Final = ((2.0, "much better"), (1.0, "better"), (0.0, "as expected"),
                    (-1.0, "worse"), (-2.0, "much worse"))


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart."""

    label: str
    points: Sequence[tuple[float, float]]


def _f(x: float) -> str:
    return f"{x:.1f}"


def line_chart(series: Sequence[Series], *, title: str, y_min: float, y_max: float,
               y_ticks: Sequence[tuple[float, str]], x_label: str = "decision",
               width: int = 880, height: int = 240) -> Markup:
    """An accessible inline SVG line chart (one line per series, legend underneath)."""
    left, right, top, bottom = 88, 16, 14, 34
    legend_rows = (len(series) + 1) // 2
    full_h = height + 18 * legend_rows
    x_max = max((p[0] for s in series for p in s.points), default=1) or 1
    span = (y_max - y_min) or 1

    def px(x: float) -> float:
        return left + (width - left - right) * x / x_max

    def py(y: float) -> float:
        return top + (height - top - bottom) * (1 - (y - y_min) / span)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {full_h}"'
             f' width="{width}" height="{full_h}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for y, label in y_ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(py(y))}" y2="{_f(py(y))}"'
                     ' class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{_f(py(y) + 4)}" text-anchor="end"'
                     f' class="tick">{escape(label)}</text>')
    for n in range(int(x_max) + 1):
        parts.append(f'<text x="{_f(px(n))}" y="{height - bottom + 16}" text-anchor="middle"'
                     f' class="tick">{n}</text>')
    parts.append(f'<text x="{_f((left + width - right) / 2)}" y="{height - 4}"'
                 f' text-anchor="middle" class="axis">{escape(x_label)}</text>')
    for i, s in enumerate(series):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        pts = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in s.points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}"'
                     f' stroke-width="2.2"{dash_attr}/>')
        for x, y in s.points:
            parts.append(f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="3" fill="{colour}">'
                         f"<title>{escape(s.label)}: {y:g} after decision {x:g}</title></circle>")
        lx = left + (i % 2) * ((width - left) // 2)
        ly = height + 12 + 18 * (i // 2)
        parts.append(f'<line x1="{lx}" x2="{lx + 26}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}"'
                     f' stroke-width="2.2"{dash_attr}/>')
        label = s.label if len(s.label) <= 48 else s.label[:47] + "…"
        parts.append(f'<text x="{lx + 32}" y="{ly}" class="legend">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def share_bar(share: float, *, expert: bool = False, width: int = 160) -> Markup:
    """A small horizontal bar for a share in 0..1."""
    w = max(0.0, min(1.0, share)) * width
    cls = "bar expert" if expert else "bar"
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="12"'
                  f' viewBox="0 0 {width} 12" aria-hidden="true"><rect width="{width}" height="12"'
                  f' class="track"/><rect width="{_f(w)}" height="12" class="{cls}"/></svg>')


def outcome_chart(report: dict[str, Any]) -> Markup:
    """Each client-outcome meter's goal-attainment level after every decision."""
    series = [Series(m["label"], [(x, y) for x, y in m["levels"]])
              for m in report["meter_series"]]
    return line_chart(series, title="Client outcomes over the decisions (goal-attainment level)",
                      y_min=-2, y_max=2, y_ticks=GAS_TICKS)


def trust_chart(report: dict[str, Any]) -> Markup:
    """Each person's trust (0 to 100) after every decision."""
    series = [Series(f"{t['name']} ({t['profession']})", [(x, y) for x, y in t["series"]])
              for t in report["trust"]]
    return line_chart(series, title="Trust over the decisions (0 to 100)", y_min=0, y_max=100,
                      y_ticks=[(v, str(v)) for v in (100, 75, 50, 25, 0)])


def _signed(changes: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:+d}" for k, v in changes.items())


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def _percent(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def environment() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names are errors."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["signed"] = _signed
    env.filters["percent"] = _percent
    env.filters["duration"] = _duration
    env.globals["share_bar"] = share_bar
    return env


def to_html(report: dict[str, Any]) -> str:
    """The debrief as one self-contained HTML page."""
    template = environment().get_template("report.html.j2")
    return template.render(r=report, outcome_svg=outcome_chart(report),
                           trust_svg=trust_chart(report))


def class_to_html(report: dict[str, Any]) -> str:
    """The class report as one self-contained HTML page."""
    return environment().get_template("class_report.html.j2").render(r=report)


def to_json(report: dict[str, Any]) -> str:
    """JSON with <, > and & written as \\u escapes: the same data, safe to paste into HTML."""
    text = json.dumps(report, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


_MD_SPECIAL: Final = str.maketrans({c: "\\" + c for c in "\\`*_[]!|"})


def _md(text: object) -> str:
    """Markdown-safe text: HTML special characters escaped, so no renderer runs them, and
    link, image and emphasis punctuation backslashed, so no renderer fetches or formats."""
    return escape(" ".join(str(text).split()), quote=False).translate(_MD_SPECIAL)


def to_markdown(report: dict[str, Any]) -> str:
    """The debrief as Markdown (for a learning platform's text box or an e-mail)."""
    r = report
    sc, ses, out, proc = r["scenario"], r["session"], r["outcome"], r["process"]
    lines = [f"# Debrief: {_md(sc['title'])}", "",
             f"*{_md(r['formative_note'])}*", ""]
    if ses:
        lines += [f"- Player: {_md(ses.get('player', '-'))}",
                  f"- Started: {_md(ses.get('started', '-'))}",
                  f"- Mode: {_md(ses.get('mode', '-'))}", ""]
    lines += ["## Outcome (where the client ended up)", ""]
    if out["ending"]:
        ending = out["ending"]
        lines.append(f"Ending: **{_md(ending['title'])}** ({_md(ending['band_label'])}).")
    else:
        lines.append("The scenario did not reach an ending.")
    lines += [f"Overall: {_md(out['band_label'])} (level {out['level']:+.2f}, "
              f"GAS T-score {out['t_score']}).", ""]
    lines += [f"- {_md(m['label'])}: {m['value']} (expected {m['expected']}): "
              f"{_md(m['band_label'])}" for m in out["meters"]]
    lines += ["", "## Process (collaboration shown)", "",
              f"Expert choices: {proc['expert_matches']} of {proc['decision_points']} decision "
              f"points. Overall: {_md(proc['band_label'])}.", ""]
    for d in proc["domains"]:
        lines.append(f"- {_md(d['cihc'])} (IPEC {_md(d['ipec'])}): {_md(d['band_label'])}")
    if r["flag"]:
        lines += ["", f"**Debrief point:** {_md(r['flag']['text'])}"]
    lines += ["", "## Your decisions beside the expert's", ""]
    for row in r["timeline"]:
        lines.append(f"{row['n']}. You: {_md(row['text'])}")
        if row["expert"] and not row["matched"]:
            expert = row["expert"]
            lines.append(f"   - Expert: {_md(expert['text'])} (why: {_md(expert['why'])})")
        elif row["expert"]:
            lines.append("   - The expert chose the same.")
        if row["teaching"]:
            lines.append(f"   - Teaching point: {_md(row['teaching'])}")
        if row["breach"]:
            lines.append(f"   - Integrity breach: {_md(row['breach'])}")
        for a in row["abandoned"]:
            lines.append(f"   - Tried and took back: {_md(a['text'])}")
    if r["debrief"]:
        lines += ["", "## Debrief questions (PEARLS)", ""]
        for phase in ("reactions", "description", "analysis", "summary"):
            lines.append(f"**{phase.capitalize()}**")
            lines += [f"- {_md(q)}" for q in r["debrief"][phase]]
            lines.append("")
    lines += ["", f"Scenario {_md(sc['id'])} {_md(sc['version'])}, sha256 {sc['sha256'][:12]}."]
    return "\n".join(lines).rstrip() + "\n"


def class_to_markdown(report: dict[str, Any]) -> str:
    """The class report as Markdown."""
    r = report
    lines = [f"# Class report: {_md(r['scenario']['title'])}", "",
             f"*{_md(r['formative_note'])}*", "",
             f"{r['sessions']} sessions, {r['ended']} reached an ending.", "",
             "## Decision points", ""]
    for d in r["decisions"]:
        lines.append(f"### {_md(d['title'])} ({d['reached']} learners)")
        for o in d["options"]:
            mark = " (expert)" if o["is_expert"] else ""
            lines.append(f"- {_percent(o['share'])} {_md(o['text'])}{mark}")
        lines.append("")
    lines += ["## Endings", ""]
    lines += [f"- {_percent(e['share'])} {_md(e['title'])} ({_md(e['band_label'])})"
              for e in r["endings"]]
    return "\n".join(lines).rstrip() + "\n"
