"""Twine import: Twee 3 and Twine 2 HTML (published or archive) -> a scenario YAML draft. Macros are never run.

Trainers often have branching cases written in Twine already. The importer keeps what
carries over (passages become scenes, links become choices, tags are kept as comments) and
reports, each at its file and line, what cannot: Harlowe `(macro:)` and SugarCube
`<<macro>>` code, which would need a story format's JavaScript to mean anything. Nothing
from the file is evaluated. Following the Twee 3 specification, malformed passage metadata
or StoryData is reported, ignored, and the import continues.

Readers are stdlib only: a line scanner for Twee and an `html.parser` subclass for HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from simgame.errors import Issue, ScenarioError, Span

SKIPPED_TAGS: Final = frozenset({"script", "stylesheet", "header", "footer", "startup", "debug-header",
                                 "debug-footer", "debug-startup", "widget", "Twine.private"})
"""Tags of passages that are code or page furniture in Twine, not places in the story."""

SPECIAL_PASSAGES: Final = frozenset({
    "StoryTitle", "StoryData", "StoryInit", "StoryCaption", "StoryMenu", "StoryBanner", "StorySubtitle",
    "StoryAuthor", "StoryInterface", "StoryShare", "PassageReady", "PassageDone", "PassageHeader",
    "PassageFooter", "StoryIncludes", "StorySettings",
})
"""Passage names with a special meaning in Twee 3 or SugarCube."""

_LINK = re.compile(r"\[\[(.+?)\]\]", re.S)
_HARLOWE = re.compile(r"\(([A-Za-z][\w-]*):")
_SUGARCUBE = re.compile(r"<<(?!/)\s*([A-Za-z=-][\w-]*)")


@dataclass(frozen=True, slots=True)
class Passage:
    """A Twine passage; `line` and `column` are where its text starts in the file (1-based)."""

    name: str
    tags: tuple[str, ...]
    text: str
    line: int
    column: int = 1


@dataclass(slots=True)
class Story:
    """A Twine story as read from either form."""

    title: str | None = None
    start: str | None = None
    format: str | None = None
    format_version: str | None = None
    ifid: str | None = None
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Link:
    """A `[[...]]` link: what the player reads and the passage it leads to."""

    text: str
    target: str
    start: int
    end: int
    setter: str | None = None
    """SugarCube's `[[text|target][$x to 1]]` setter, which we do not run."""


# --- Twee 3 ---------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _scan(text: str, stop: str) -> int:
    """Index of the first unescaped character of `stop` in `text`, or len(text)."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in stop:
            return i
        i += 1
    return len(text)


def parse_twee(source: str, filename: str) -> tuple[Story, list[Issue]]:
    """Read Twee 3 text: passages, StoryTitle and StoryData (warnings for what is malformed)."""
    story = Story()
    issues: list[Issue] = []
    lines = source.splitlines()
    headers = [i for i, ln in enumerate(lines) if ln.startswith("::")]
    for n, i in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        body = [ln[1:] if ln.startswith("\\::") else ln for ln in lines[i + 1:end]]
        while body and not body[-1].strip():
            body.pop()
        header = _header(lines[i], Span(filename, i + 1, 1), issues)
        if header is None:
            continue
        name, tags = header
        if any(p.name == name for p in story.passages):
            issues.append(Issue("warning", f"a second passage called {name!r}; skipped (passage names must "
                                "be unique)", Span(filename, i + 1, 1)))
            continue
        content = "\n".join(body)
        if name == "StoryTitle":
            story.title = content.strip() or None
        elif name == "StoryData":
            _story_data(story, content, Span(filename, i + 2, 1), issues)
        else:
            story.passages.append(Passage(name, tags, content, i + 2))
    return story, issues


def _header(line: str, span: Span, issues: list[Issue]) -> tuple[str, tuple[str, ...]] | None:
    rest = line[2:].lstrip()
    cut = _scan(rest, "[{")
    name = _unescape(rest[:cut].strip())
    rest = rest[cut:].strip()
    if not name:
        issues.append(Issue("warning", "passage header without a name; passage skipped", span))
        return None
    tags: tuple[str, ...] = ()
    if rest.startswith("["):
        close = _scan(rest, "]")
        if close == len(rest):
            issues.append(Issue("warning", f"passage {name!r}: tag block '[' is never closed; tags ignored", span))
            rest = ""
        else:
            tags = tuple(_unescape(t) for t in rest[1:close].split())
            rest = rest[close + 1:].strip()
    if rest:
        try:
            meta = json.loads(rest)
            if not isinstance(meta, dict):
                raise ValueError("not an object")
        except ValueError:
            issues.append(Issue("warning", f"passage {name!r}: malformed metadata {rest!r} ignored "
                                "(expected a JSON object such as {\"position\":\"600,400\"})", span))
    return name, tags


def _story_data(story: Story, content: str, span: Span, issues: list[Issue]) -> None:
    try:
        data = json.loads(content)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        issues.append(Issue("warning", "StoryData is not a JSON object; ignored (the start passage "
                            "defaults to 'Start')", span))
        return
    for key, attr in (("start", "start"), ("format", "format"), ("format-version", "format_version"),
                      ("ifid", "ifid")):
        value = data.get(key)
        if isinstance(value, str):
            setattr(story, attr, value)
    if story.ifid is None:
        issues.append(Issue("warning", "StoryData has no 'ifid' (the Twee 3 specification requires one)", span))


# --- Twine 2 HTML ---------------------------------------------------------------------------


class _TwineHTML(HTMLParser):
    """Collects every `<tw-storydata>` with its `<tw-passagedata>`; everything else is ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stories: list[tuple[dict[str, str], list[tuple[dict[str, str], str, int, int]]]] = []
        self._passage: tuple[dict[str, str], int, int] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "tw-storydata":
            self.stories.append((values, []))
        elif tag == "tw-passagedata" and self.stories:
            line, col = self.getpos()
            raw = self.get_starttag_text() or ""
            if "\n" in raw:
                line, col = line + raw.count("\n"), len(raw) - raw.rindex("\n") - 1
            else:
                col += len(raw)
            self._passage = (values, line, col + 1)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._passage is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tw-passagedata" and self._passage is not None:
            values, line, col = self._passage
            self.stories[-1][1].append((values, "".join(self._text), line, col))
            self._passage = None


def parse_html(source: str, filename: str, story_name: str | None = None) -> tuple[Story, list[Issue]]:
    """Read a published Twine 2 story or an archive (several stories: the first, or `story_name`).

    Raises:
        ScenarioError: no story in the file, or none called `story_name`.
    """
    parser = _TwineHTML()
    parser.feed(source)
    parser.close()
    if not parser.stories:
        raise ScenarioError([Issue("error", "no <tw-storydata> element: this is not a Twine 2 story or archive",
                                   Span(filename, 1, 1))])
    names = [attrs.get("name", "") for attrs, _ in parser.stories]
    index = 0
    if story_name is not None:
        if story_name not in names:
            raise ScenarioError([Issue("error", f"no story called {story_name!r} in this file",
                                       Span(filename, 1, 1), "stories here: " + ", ".join(map(repr, names)))])
        index = names.index(story_name)
    attrs, raw_passages = parser.stories[index]
    issues: list[Issue] = []
    if len(parser.stories) > 1 and story_name is None:
        issues.append(Issue("warning", f"the archive holds {len(names)} stories; importing the first, "
                            f"{names[0]!r}", Span(filename, 1, 1),
                            "choose another with --story NAME: " + ", ".join(map(repr, names))))
    story = Story(title=attrs.get("name") or None, format=attrs.get("format") or None,
                  format_version=attrs.get("format-version") or None, ifid=attrs.get("ifid") or None)
    by_pid: dict[str, str] = {}
    for values, text, line, col in raw_passages:
        name = values.get("name", "")
        if not name:
            issues.append(Issue("warning", "a <tw-passagedata> without a name; skipped", Span(filename, line, 1)))
            continue
        by_pid[values.get("pid", "")] = name
        story.passages.append(Passage(name, tuple(values.get("tags", "").split()), text, line, col))
    start = attrs.get("startnode", "")
    story.start = by_pid.get(start)
    if start and story.start is None:
        issues.append(Issue("warning", f"startnode {start!r} names no passage; starting at the first",
                            Span(filename, 1, 1)))
    return story, issues


# --- links and macros -----------------------------------------------------------------------


def parse_links(text: str) -> list[Link]:
    """The `[[...]]` links of a passage, in the three Twine 2 forms and the simple one.

    `->` splits at its last occurrence and `<-` at its first, as Harlowe and SugarCube do,
    so "[[a->b->c]]" reads "a->b" leading to "c".
    """
    links = []
    for m in _LINK.finditer(text):
        inner, setter = m.group(1), None
        if "][" in inner:
            inner, setter = inner.split("][", 1)
        if "->" in inner:
            label, target = inner.rsplit("->", 1)
        elif "<-" in inner:
            target, label = inner.split("<-", 1)
        elif "|" in inner:
            label, target = inner.rsplit("|", 1)
        else:
            label = target = inner
        links.append(Link(" ".join(label.split()), target.strip(), m.start(), m.end(), setter))
    return links


def find_macros(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(format, macro, line, column) of each Harlowe `(name:` and SugarCube `<<name`, 1-based."""
    found = [("Harlowe", m.group(1), m.start()) for m in _HARLOWE.finditer(text)]
    found += [("SugarCube", m.group(1), m.start()) for m in _SUGARCUBE.finditer(text)]
    for fmt, name, pos in sorted(found, key=lambda f: f[2]):
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        yield fmt, name, line, col


# --- conversion -----------------------------------------------------------------------------


def slug(text: str, prefix: str) -> str:
    """An id from a name: lower case, `_` for anything else, starting with a letter.

    >>> slug("The Lobby (2)", "p")
    'the_lobby_2'
    """
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not s:
        return prefix
    return s if s[0].isalpha() else f"{prefix}_{s}"


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    taken.add(name)
    return name


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _span(filename: str, p: Passage, line: int, col: int) -> Span:
    return Span(filename, p.line + line - 1, (p.column + col - 1) if line == 1 else col)


def to_scenario_yaml(story: Story, filename: str, *, schema: str | None = None) -> tuple[str, list[Issue]]:
    """The scenario YAML for a story, and warnings for what the author must convert by hand.

    Raises:
        ScenarioError: the story has no passages that can become scenes.
    """
    issues: list[Issue] = []
    scenes = []
    for p in story.passages:
        skip = SKIPPED_TAGS.intersection(p.tags)
        if p.name in SPECIAL_PASSAGES or skip:
            why = f"tagged {', '.join(sorted(skip))}" if skip else "a special passage"
            issues.append(Issue("warning", f"passage {p.name!r} is {why}; not imported as a scene",
                                Span(filename, max(1, p.line - 1), 1)))
        else:
            scenes.append(p)
        for fmt, macro, line, col in find_macros(p.text):
            issues.append(Issue("warning", f"{fmt} macro '{macro}' in passage {p.name!r} (line {line} of the "
                                "passage) was not executed; convert it by hand", _span(filename, p, line, col),
                                "use choice conditions and effects"))
    if not scenes:
        raise ScenarioError([Issue("error", "the story has no passages to import", Span(filename, 1, 1))])
    taken: set[str] = set()
    ids = {p.name: _unique(slug(p.name, "p"), taken) for p in scenes}
    start = story.start if story.start in ids else ("Start" if "Start" in ids else scenes[0].name)
    if story.start and story.start not in ids:
        issues.append(Issue("warning", f"start passage {story.start!r} was not found; starting at {start!r}",
                            Span(filename, 1, 1)))
    body = [_scene_yaml(p, ids, filename, issues) for p in scenes]
    title = story.title or Path(filename).stem
    fmt = f"{story.format} {story.format_version or ''}".strip() if story.format else "unknown format"
    head = [f"# yaml-language-server: $schema={schema}"] if schema else []
    head += [
        f"# Imported from {Path(filename).name} by `simgame import-twine` (Twine story {_q(title)}, {fmt}).",
        "# Every TODO needs an author: the metadata, the cast and meters, the ending bands, and the",
        "# Twine macros the importer listed (they were NOT executed; their text is kept in the scenes).",
        "format: 1",
        f"id: {slug(title, 's')}",
        f"title: {_q(title)}",
        'summary: "TODO: one or two sentences for the scenario library."',
        'setting: "TODO: where and when."',
        "minutes: 5                      # TODO: estimated playing time",
        'version: "0.1.0"',
        'authors: ["TODO: your name"]',
        "jurisdiction:",
        '  name: "State of Columbia (fictional)"   # TODO: always fictional, always declared',
        '  rules: ["TODO: what the scenario assumes about the law or policy there."]',
        'role: "TODO: who the learner is."',
        'objectives: ["TODO: what the learner should practise."]',
        'fiction_contract: "TODO: what is simplified."',
        "client:",
        "  id: client",
        '  name: "TODO: the client\'s name"',
        '  about: "TODO: a line about the client."',
        '  goals: ["TODO: what the client wants"]',
        "  trust: 50",
        "team:",
        '  - {id: colleague, name: "TODO: a colleague", profession: "TODO: their profession", trust: 50}',
        "meters:                         # TODO: the client outcomes that choices move (add effects to choices)",
        '  - {id: outcome, label: "TODO: what the outcome measures", start: 50}',
        f"start: {ids[start]}",
        "scenes:",
    ]
    return "\n".join(head + [ln for scene in body for ln in scene]) + "\n", issues


def _narration(text: str) -> str:
    """The passage text as narration: lines that are only a link become choices and are dropped,
    links inside a sentence keep their words."""
    kept = [ln for ln in text.splitlines() if not _LINK.fullmatch(ln.strip())]
    return _LINK.sub(lambda m: parse_links(m.group(0))[0].text, "\n".join(kept)).strip()


def _scene_yaml(p: Passage, ids: dict[str, str], filename: str, issues: list[Issue]) -> list[str]:
    links = parse_links(p.text)
    text = _narration(p.text)
    tag_note = f" [tags: {' '.join(p.tags)}]" if p.tags else ""
    out = [f"  # Twine passage {_q(p.name)}{tag_note}", f"  - id: {ids[p.name]}", f"    title: {_q(p.name)}"]
    if text:
        out.append(f"    text: {_q(text)}")
    choices: list[str] = []
    taken: set[str] = set()
    for link in links:
        line = p.text.count("\n", 0, link.start) + 1
        col = link.start - (p.text.rfind("\n", 0, link.start) + 1) + 1
        where = _span(filename, p, line, col)
        if link.setter is not None:
            issues.append(Issue("warning", f"SugarCube link setter [{link.setter}] in passage {p.name!r} was not "
                                "executed; convert it by hand", where, "use the choice's effects"))
        if link.target not in ids:
            issues.append(Issue("warning", f"link to {link.target!r} in passage {p.name!r} leads to no imported "
                                "passage; dropped", where))
            continue
        label = link.text or link.target
        choices += [f"      - id: {_unique(slug(label, 'go'), taken)}", f"        text: {_q(label)}",
                    f"        next: {ids[link.target]}"]
    if choices:
        out += ["    choices:", *choices]
    else:
        out += ["    # TODO: a passage without links became an ending; choose its band:",
                "    # much_worse, worse, expected, better or much_better",
                f"    ending: {{band: expected, title: {_q(p.name)}}}"]
    return out


def import_twine(path: str | Path, *, story: str | None = None,
                 schema: str | None = None) -> tuple[str, list[Issue]]:
    """Read a .twee/.tw file or a Twine 2 .html file and return scenario YAML and warnings.

    Raises:
        ScenarioError: the file cannot be read or holds no usable story.
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Issue("error", f"cannot read the file: {exc.strerror}", Span(name, 1, 1))]) from None
    source = raw.decode("utf-8-sig", errors="replace")
    is_html = path.suffix.lower() in (".html", ".htm") or "<tw-storydata" in source[:200_000].lower()
    parsed, issues = parse_html(source, name, story) if is_html else parse_twee(source, name)
    text, more = to_scenario_yaml(parsed, name, schema=schema)
    return text, sorted(issues + more, key=lambda i: (i.span.line, i.span.column) if i.span else (0, 0))


__all__ = ["Link", "Passage", "Story", "find_macros", "import_twine", "parse_html", "parse_links",
           "parse_twee", "slug", "to_scenario_yaml"]
