"""Debrief and class reports: content, escaping in every format, Chromium rendering, the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simgame import compile_source, load_scenario
from simgame.cli import main
from simgame.records import (
    Recorder,
    RecordingSession,
    as_dict,
    connect,
    find_session,
    list_sessions,
    read_log,
    read_records,
)
from simgame.report import Play, build_class_report, build_report
from simgame.report_render import (
    Series,
    class_to_html,
    class_to_markdown,
    line_chart,
    to_html,
    to_json,
    to_markdown,
)
from simgame.scenario import Scenario
from simgame.session import Session, play

ROOT = Path(__file__).parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
OUT = ROOT / "out"

SCRIPT = "<script>alert(document.domain)</script>"
IMG = '"><img src=x onerror=alert(1)>'

# Every free-text field a learner or author controls carries one of the two payloads.
HOSTILE = f"""\
format: 1
id: hostile
title: '{SCRIPT} title'
summary: '{IMG} summary'
setting: "Room"
minutes: 2
version: "1.0.0"
authors: ["tests"]
jurisdiction: {{name: '{SCRIPT}', rules: ["Tests only."]}}
role: "You are the social worker."
objectives: ['{IMG} objective']
fiction_contract: "Simplified."
resources: [{{name: '{SCRIPT}', detail: '{IMG}'}}]
client: {{id: kim, name: '{IMG} Kim', about: "A client.", goals: ["Be safe"], trust: 50}}
team:
  - {{id: nurse, name: '{SCRIPT} Nurse', profession: '{IMG}', trust: 50}}
meters:
  - {{id: safety, label: '{SCRIPT} safety', start: 50, expected: 50}}
start: meet
scenes:
  - id: meet
    title: '{IMG} meeting'
    prompt: '{SCRIPT} prompt'
    choices:
      - id: ask
        text: '{SCRIPT} ask'
        tags: [client_centred_care]
        effects: {{meters: {{safety: 20}}, trust: {{kim: 5}}}}
        feedback: {{outcome: '{IMG} outcome', teaching: '{SCRIPT} teaching'}}
        next: end
      - id: tell
        text: '{IMG} tell'
        breach: '{SCRIPT} breach'
        oversteps: '{IMG} overstep'
        feedback: {{outcome: '{SCRIPT}', teaching: '{IMG}'}}
        next: end
    expert: {{choice: ask, why: '{IMG} why'}}
  - id: end
    ending: {{band: better, title: '{SCRIPT} ending'}}
debrief:
  reactions: ['{SCRIPT} reactions']
  description: ['{IMG} description']
  analysis: ['{SCRIPT} analysis']
  summary: ['{IMG} summary']
"""


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(MINI)


@pytest.fixture(scope="module")
def hostile() -> Scenario:
    return compile_source(HOSTILE, filename="hostile.yaml")


class _Tags(HTMLParser):
    """Collects every element and attribute the browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


# --- content ---------------------------------------------------------------------------------


def test_report_puts_decisions_beside_the_expert_with_abandoned_branches(mini: Scenario) -> None:
    s = Session(mini)
    s.choose("promise")
    s.undo()
    s.choose("advise")
    s.choose("wait")
    s.choose("go")
    r = build_report(mini, s.log, session={"player": "Ana"})
    first = r["timeline"][0]
    assert first["text"] == "Tell her the letter is invalid." and first["matched"] is False
    assert first["expert"] == {"choice": "ask", "text": "Ask what she wants.",
                               "why": "Her goals come first."}
    assert first["teaching"] == "Legal questions go to the lawyer."
    assert first["oversteps"] == "legal advice"
    assert [a["text"] for a in first["abandoned"]] == ["Promise it will be fine."]
    assert first["abandoned"][0]["change"] == {"meters": {}, "trust": {"Mara Lind": -12}}
    assert first["change"] == {"meters": {"Housing stability": -10},
                               "trust": {"Ada Okafor": -10}}
    assert r["integrity"]["oversteps"][0]["what"] == "legal advice"
    assert r["outcome"]["ending"]["band"] == "worse"
    assert r["process"]["expert_matches"] == 0 and r["process"]["decision_points"] == 2
    # the lawyer refused the referral after the overstep: trust 40 -> 30 shows in the chart data
    okafor = next(t for t in r["trust"] if t["person"] == "okafor")
    assert okafor["series"] == [[0, 40], [1, 30], [2, 30], [3, 30]]
    assert json.loads(to_json(r)) == r


def test_report_json_and_markdown_and_html_agree_on_the_ending(mini: Scenario) -> None:
    r = build_report(mini, play(mini, ["ask", "refer", "good"]).log)
    assert "Housed, with a plan she chose" in to_markdown(r)
    assert "Housed, with a plan she chose" in to_html(r)
    assert json.loads(to_json(r))["outcome"]["ending"]["title"] == "Housed, with a plan she chose"


def test_an_unfinished_session_still_has_a_report(mini: Scenario) -> None:
    r = build_report(mini, play(mini, ["promise"]).log)
    assert r["ended"] is False and r["outcome"]["ending"] is None
    html = to_html(r)
    assert "Not reached" in html and "Integrity breach: a promise the team cannot keep" in html
    assert "The scenario did not reach an ending." in to_markdown(r)


def test_changed_scenario_file_is_flagged(mini: Scenario) -> None:
    r = build_report(mini, play(mini, ["ask"]).log, session={"scenario_sha256": "0" * 64})
    assert r["scenario"]["same_version"] is False
    assert "has changed since this session was played" in to_html(r)


def test_chart_is_inline_svg_with_escaped_labels() -> None:
    svg = str(line_chart([Series("<b>x</b>", [(0, 1), (1, 2)])], title="t<", y_min=0, y_max=2,
                         y_ticks=[(0, "0"), (2, "2")]))
    assert svg.startswith("<svg") and "<polyline" in svg
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg


# --- escaping --------------------------------------------------------------------------------


def _hostile_reports(hostile: Scenario) -> dict[str, str]:
    s = Session(hostile)
    s.choose("tell")
    s.undo()
    s.choose("ask")
    meta = {"player": IMG, "started": SCRIPT, "mode": "learning"}
    r = build_report(hostile, s.log, session=meta)
    plays = [Play(SCRIPT, IMG, s.log), Play(IMG, SCRIPT, play(hostile, ["tell"]).log)]
    c = build_class_report(hostile, plays, names=True)
    return {"html": to_html(r), "md": to_markdown(r), "json": to_json(r),
            "class_html": class_to_html(c), "class_md": class_to_markdown(c),
            "class_json": to_json(c)}


def test_hostile_text_is_escaped_in_every_report_format(hostile: Scenario) -> None:
    for name, text in _hostile_reports(hostile).items():
        assert "<script" not in text, name
        assert "<img" not in text, name
    reports = _hostile_reports(hostile)
    assert "&lt;script&gt;alert(document.domain)&lt;/script&gt; ask" in reports["html"]
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in reports["html"]
    assert "&lt;script&gt;" in reports["md"] and "&lt;img" in reports["md"]
    assert json.loads(reports["json"])["timeline"][0]["text"] == f"{SCRIPT} ask"


def test_hostile_html_builds_no_elements_or_handlers(hostile: Scenario) -> None:
    for name in ("html", "class_html"):
        parsed = _parse(_hostile_reports(hostile)[name])
        assert "script" not in parsed.tags and "img" not in parsed.tags, name
        assert not any(k.startswith("on") for k, _ in parsed.attrs), name


def test_reports_load_nothing_from_the_network(mini: Scenario) -> None:
    r = build_report(mini, play(mini, ["ask", "refer", "good"]).log)
    c = build_class_report(mini, [Play("a", "", play(mini, ["ask", "refer", "good"]).log)])
    for html in (to_html(r), class_to_html(c)):
        parsed = _parse(html)
        assert "link" not in parsed.tags and "script" not in parsed.tags
        assert not [v for k, v in parsed.attrs if k in ("src", "href")]
        assert "url(" not in html and "@import" not in html
        assert "@media print" in html


# --- the class report ------------------------------------------------------------------------

CLASS_PATHS = (
    [["ask", "refer", "good"]] * 14          # the expert path
    + [["promise", "refer", "other"]] * 8    # a breach, then the referral
    + [["advise", "wait", "go"]] * 5         # overstep; the lawyer will no longer help
    + [["ask", "wait", "go"]] * 3            # good start, then waiting
)


@pytest.fixture
def class_db(home: Path, mini: Scenario) -> Iterator[None]:
    """30 recorded sessions of mini, one learner each."""
    con = connect()
    for i, path in enumerate(CLASS_PATHS):
        session = RecordingSession(mini, seed=i)
        session.recorder = Recorder.start(session, player=f"Student {i:02d}", con=con)
        for choice in path:
            session.choose(choice)
    yield
    con.close()


def test_thirty_sessions_show_where_the_class_split(class_db: None, mini: Scenario) -> None:
    con = connect()
    records = list(read_records(con, list_sessions(con, scenario="mini")))
    assert len(records) == 30
    c = build_class_report(mini, [Play(r.info.player, r.info.started, r.log) for r in records])
    intro, lawyer = c["decisions"][0], c["decisions"][1]
    assert intro["scene"] == "intro" and intro["reached"] == 30 and intro["split"]
    shares = {o["choice"]: (o["count"], o["share"]) for o in intro["options"]}
    assert shares == {"ask": (17, 0.5667), "promise": (8, 0.2667), "advise": (5, 0.1667)}
    assert {o["choice"]: o["count"] for o in lawyer["options"]} == {
        "refer": 22, "wait": 8, "secret": 0}
    # where learners most often left the expert path: intro (13 of 30) before lawyer (8 of 30)
    assert [d["scene"] for d in c["departures"]] == ["intro", "lawyer"]
    assert c["departures"][0]["first_departures"] == 13
    assert c["departures"][1]["first_departures"] == 3
    endings = {e["scene"]: e["count"] for e in c["endings"]}
    assert endings == {"good_end": 14, "poor_end": 16}
    housing = c["outcomes"]["meters"][0]
    # 14 x 70 (expert), 8 x 70 (promise, refer), 5 x 30 (advise), 3 x 40 (ask, wait)
    assert housing["mean"] == round((22 * 70 + 5 * 30 + 3 * 40) / 30, 2)
    assert c["anonymous"] and c["learners"][0]["learner"].startswith("Learner ")
    html = class_to_html(c)
    assert "Student" not in html and "the class split here" in html


def test_class_report_names_only_when_asked(class_db: None, mini: Scenario) -> None:
    con = connect()
    records = list(read_records(con, list_sessions(con)))
    plays = [Play(r.info.player, r.info.started, r.log) for r in records]
    assert "Student 00" in class_to_html(build_class_report(mini, plays, names=True))


def test_class_report_cli_with_since_and_output(class_db: None, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "class.html"
    assert main(["class-report", "--scenario", "mini", "-o", str(out)]) == 0
    assert "30 sessions" in out.read_text(encoding="utf-8")
    assert main(["class-report", "--since", "2999-01-01"]) == 1
    assert "no recorded sessions" in capsys.readouterr().err
    assert main(["class-report", "--format", "json", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == 30


# --- the report command and exports ----------------------------------------------------------


def test_report_last_writes_html_and_md_and_json(home: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--last"]) == 1
    assert "no sessions have been recorded" in capsys.readouterr().err
    assert main(["run", str(MINI), "--policy", "choices:promise,wait,go", "--record",
                 "--player", "Ana"]) == 0
    capsys.readouterr()
    target = tmp_path / "r.html"
    assert main(["report", "--last", "-o", str(target)]) == 0
    html = target.read_text(encoding="utf-8")
    assert "Debrief: Mini: the rent letter" in html and "Ana" in html
    assert "Integrity breach: a promise the team cannot keep" in html
    assert main(["report", "1", "--format", "md"]) == 0
    assert "## Your decisions beside the expert" in capsys.readouterr().out
    assert main(["report", "--last", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["session"]["player"] == "Ana" and data["outcome"]["ending"]["band"] == "worse"


def test_csv_export_is_one_row_per_session_with_formulas_neutralised(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for player in ("Ana", "=HYPERLINK(\"http://x\")"):
        assert main(["run", str(MINI), "--policy", "expert", "--record", "--player", player]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["player"] for r in rows] == ["Ana", "'=HYPERLINK(\"http://x\")"]
    assert rows[0]["expert_matches"] == "2" and rows[0]["ending_band"] == "much_better"
    assert rows[0]["outcome_scaled"] == "0.6667" and rows[0]["process_band"] == "mastery"


# --- in a real browser -----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, html_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chromium'}",
         *extra, html_file.as_uri()],
        capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_reports_render_in_headless_chromium(class_db: None, tmp_path: Path,
                                             hostile: Scenario, mini: Scenario) -> None:
    """Screenshots land in out/ for a person to look at; the DOM shows nothing ran."""
    OUT.mkdir(exist_ok=True)
    con = connect()
    info = find_session(con, "last")
    pages = {
        "report": to_html(build_report(mini, read_log(con, info.id), session=as_dict(info))),
        "class_report": class_to_html(build_class_report(
            mini, [Play(r.info.player, r.info.started, r.log)
                   for r in read_records(con, list_sessions(con))])),
        "hostile_report": _hostile_reports(hostile)["html"],
    }
    for name, html in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        png = OUT / f"{name}.png"
        png.unlink(missing_ok=True)
        shot = _chromium(tmp_path, page, "--window-size=1000,2600", f"--screenshot={png}")
        assert png.exists() and png.stat().st_size > 20_000, shot.stderr[-500:]
        dom = _chromium(tmp_path, page, "--dump-dom").stdout
        assert "<svg" in dom or name == "class_report"
        parsed = _parse(dom)
        assert "img" not in parsed.tags and not any(k.startswith("on") for k, _ in parsed.attrs)
    pdf = OUT / "report.pdf"
    pdf.unlink(missing_ok=True)
    _chromium(tmp_path, tmp_path / "report.html", f"--print-to-pdf={pdf}",
              "--no-pdf-header-footer")
    assert pdf.read_bytes()[:5] == b"%PDF-"
