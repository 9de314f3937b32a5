"""YAML text -> plain data plus a position map; the only module that imports yaml.

Scenario files are untrusted: they travel by e-mail and shared drives. So this loader
composes with libyaml, then builds plain Python values itself, rejecting what a scenario
never needs: aliases (the "billion laughs" bomb), explicit tags (``!!python/...``),
duplicate keys (plain ``safe_load`` silently keeps the last one) and non-text keys.
Booleans follow YAML 1.2 (only ``true``/``false``), so ``no`` stays the word "no", as
it does in the editor's language server. Size and nesting depth are checked before
libyaml sees the text, because libyaml crashes the interpreter on very deep nesting.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import yaml

from simgame.errors import Issue, ScenarioError, Span

MAX_BYTES = 16 * 1024 * 1024
"""Largest scenario file accepted; the biggest real scenario is well under 1 MiB."""

MAX_DEPTH = 100
"""Deepest nesting accepted; real scenarios nest about ten levels."""

Path = tuple[str | int, ...]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's parser with YAML 1.2-style scalar resolution (no yes/no/on/off booleans)."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


def _add(tag: str, pattern: str, first: str) -> None:
    regexp = re.compile(pattern, re.X)
    for ch in first:
        _Loader.yaml_implicit_resolvers.setdefault(ch, []).append((tag, regexp))


_add("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789")
_add(
    "tag:yaml.org,2002:float",
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
    "-+.0123456789",
)
_add("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\x00")
_Loader.yaml_implicit_resolvers.setdefault("", []).append(("tag:yaml.org,2002:null", re.compile(r"^$")))

_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MAYBE_NOT_TEXT = frozenset("tTfFnN~-+.0123456789")


def _resolve(self: Any, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of a node without an explicit one: a fast path for the common plain word.

    libyaml calls this for every node, so PyYAML's generic resolver (a dict lookup and a
    regex loop per scalar) was a third of the load time of a large scenario.
    """
    if kind is yaml.ScalarNode:
        if not implicit[0] or (value and value[0] not in _MAYBE_NOT_TEXT):
            return _STR
        resolvers: list[tuple[str, re.Pattern[str]]] = _Loader.yaml_implicit_resolvers.get(value[:1] or "", [])
        for tag, regexp in resolvers:
            if regexp.match(value):
                return tag
        return _STR
    return _SEQ if kind is yaml.SequenceNode else _MAP


_Loader.resolve = _resolve


class Positions:
    """Where each value (and each mapping key) stands in the file, looked up by its path.

    Positions are read from the composed node graph only when a message needs one:
    recording every node's position up front cost a third of the load time of a large
    scenario, and a valid file needs only a few dozen.
    """

    __slots__ = ("_root", "filename")

    def __init__(self, filename: str, root: yaml.Node | None = None) -> None:
        self.filename = filename
        self._root = root

    def span(self, path: Path, *, key: bool = False) -> Span:
        """The span of `path`, falling back to its nearest ancestor that exists.

        With ``key=True`` the span of the mapping key is preferred, which is where an
        editor should put the cursor for an unexpected or misspelt key.
        """
        node = self._root
        if node is None:
            return Span(self.filename, 1, 1)
        key_node: yaml.Node | None = None
        for i, part in enumerate(path):
            child, child_key = _child(node, part)
            if child is None:
                key_node = None
                break
            node, key_node = child, child_key
            if i == len(path) - 1:
                break
        mark = (key_node if key and key_node is not None else node).start_mark
        return Span(self.filename, mark.line + 1, mark.column + 1)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The value node (and key node) under `node` at `part`; the first of duplicate keys."""
    if isinstance(part, int):
        if isinstance(node, yaml.SequenceNode) and 0 <= part < len(node.value):
            return node.value[part], None
        return None, None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return value_node, key_node
    return None, None


def read_yaml(text: str | bytes, filename: str) -> tuple[dict[str, Any], Positions]:
    """Parse one scenario document into plain data and the positions of its values.

    Raises:
        ScenarioError: the text is too big, too deep, not UTF-8, not YAML, or uses a
            YAML feature scenario files may not use.
    """
    text = _decode(text, filename)
    _check_shape(text, filename)
    with paused_gc():
        return _read(text, filename)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large, acyclic object graph.

    Loading allocates hundreds of thousands of small objects and no reference cycles; the
    collector would otherwise rescan them again and again (measured: 3 to 4 times slower
    at 1,000 scenes). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(text: str, filename: str) -> tuple[dict[str, Any], Positions]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_issue(exc, filename, text)]) from None
    except yaml.YAMLError as exc:  # reader errors without marks, e.g. control characters
        raise ScenarioError([Issue("error", f"not a YAML file: {exc}", Span(filename, 1, 1))]) from None
    if node is None:
        raise ScenarioError([Issue("error", "the file is empty", Span(filename, 1, 1))])
    builder = _Builder(filename, track_aliases="&" in text)
    data = builder.build(node)
    if builder.issues:
        raise ScenarioError(builder.issues)
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Issue(
                    "error",
                    "a scenario file must be a mapping of keys such as 'id:' and 'scenes:'",
                    Span(filename, 1, 1),
                )
            ]
        )
    return data, Positions(filename, node)


def _decode(text: str | bytes, filename: str) -> str:
    if isinstance(text, bytes):
        raw = text
        if len(raw) > MAX_BYTES:
            raise ScenarioError([_too_big(len(raw), filename)])
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise ScenarioError(
                [
                    Issue(
                        "error",
                        "the file is UTF-16 text, not UTF-8",
                        Span(filename, 1, 1),
                        "save it as UTF-8 in your editor",
                    )
                ]
            )
        if b"\x00" in raw:
            raise ScenarioError([_binary(raw[: raw.index(b"\x00")].count(b"\n") + 1, filename)])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ScenarioError(
                [
                    Issue(
                        "error",
                        f"the file is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})",
                        Span(filename, line, 1),
                        "save it as UTF-8 in your editor",
                    )
                ]
            ) from None
    elif len(text) > MAX_BYTES:
        raise ScenarioError([_too_big(len(text), filename)])
    if "\x00" in text:
        raise ScenarioError([_binary(text[: text.index("\x00")].count("\n") + 1, filename)])
    return text


def _binary(line: int, filename: str) -> Issue:
    return Issue(
        "error", "the file contains NUL bytes; it looks like a binary file, not a scenario", Span(filename, line, 1)
    )


def _too_big(size: int, filename: str) -> Issue:
    return Issue(
        "error",
        f"the file is {size / 1048576:.1f} MiB; scenario files may be at most {MAX_BYTES // 1048576} MiB",
        Span(filename, 1, 1),
    )


_LINE_PREFIX = re.compile(r"[ \-?:]*")


_LINE_PREFIXES = re.compile(r"(?m)^[ \-?:]*")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_AS_PARENS = str.maketrans("[]{}", "()()")


def _check_shape(text: str, filename: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before libyaml sees it (it segfaults on 100k levels).

    A quick upper bound runs first, at C speed: the deepest line prefix plus the deepest
    bracket nesting anywhere (counting brackets in quoted text too, and every unmatched
    opening bracket). Only when that bound is over the limit does the exact line-by-line
    scan run, which skips quoted text and names the line.
    """
    block = max(map(len, _LINE_PREFIXES.findall(text)), default=0) // 2
    brackets = _NOT_BRACKET.sub("", text).translate(_AS_PARENS)
    flow = 0
    while "()" in brackets and flow <= MAX_DEPTH:
        brackets = brackets.replace("()", "")
        flow += 1
    if block + flow + brackets.count("(") <= MAX_DEPTH:
        return
    _scan_depth(text, filename)


def _scan_depth(text: str, filename: str) -> None:
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        block = len(_LINE_PREFIX.match(line).group(0)) // 2  # type: ignore[union-attr]
        if "[" in line or "{" in line or depth:
            depth = _flow_depth(line, depth)
        if depth + block > MAX_DEPTH:
            raise ScenarioError(
                [Issue("error", f"the file nests more than {MAX_DEPTH} levels deep", Span(filename, number, 1))]
            )


def _flow_depth(line: str, depth: int) -> int:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (depth or line[:i].rstrip()[-1:] in ("", ":", "-")):
            # in flow context any quote opens a string; in block context only one that
            # starts a value does (an apostrophe in plain text does not)
            quote = ch
        elif ch == "#" and not depth:
            break
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return depth
        elif ch in "]}" and depth:
            depth -= 1
    return depth


def _syntax_issue(exc: yaml.MarkedYAMLError, filename: str, text: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    context = f" {exc.context}" if exc.context else ""
    hint = None
    at = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    if at == "\t" or "'\\t'" in problem:
        hint = "use spaces, not tabs, to indent"
    elif "mapping values are not allowed" in problem:
        hint = "put text that contains ': ' in quotes"
    return Issue("error", f"YAML syntax: {problem}{context}", Span(filename, line, col), hint)


class _Builder:
    """Builds plain values from a composed node graph, collecting problems."""

    def __init__(self, filename: str, *, track_aliases: bool = True) -> None:
        self.filename = filename
        self.track_aliases = track_aliases
        """Without an '&' in the text there is no anchor, so no scalar can be an alias;
        collections are always checked."""
        self.issues: list[Issue] = []
        self._seen: set[int] = set()

    def _error(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        mark = node.start_mark
        self.issues.append(Issue("error", message, Span(self.filename, mark.line + 1, mark.column + 1), hint))

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode) and not self.track_aliases:
            return self._scalar(node)
        # libyaml turns an alias into a second reference to the same node object, so a
        # node met twice was an alias
        if id(node) in self._seen:
            self._error(
                node,
                "anchors and aliases (&name, *name) are not allowed in scenario files",
                "write the value out in full",
            )
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._error(node, f"YAML tag {node.tag!r} is not allowed in scenario files")
                return None
            return [self.build(item) for item in node.value]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self._error(node, f"YAML tag {node.tag!r} is not allowed in scenario files")
            return None
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(key, bool | int | float) or key is None:
                key = None if key is None else str(key)
            if not isinstance(key, str) or key_node.tag == "tag:yaml.org,2002:merge":
                self._error(key_node, "keys must be plain words such as 'id' or 'text'")
                continue
            kmark = key_node.start_mark
            if key in result:
                self._error(
                    key_node,
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                    "each key may appear once in a mapping",
                )
                continue
            first_line[key] = kmark.line + 1
            result[key] = self.build(value_node)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        value: str = node.value
        tag = node.tag
        if tag == _STR:
            return value
        if tag == _INT:
            return int(value)
        if tag == _FLOAT:
            return float(value)
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _NULL:
            return None
        self._error(
            node,
            f"YAML tag {tag!r} is not allowed in scenario files",
            "scenario files hold plain text, numbers and true/false only",
        )
        return None


def iter_paths(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) pair in plain data, parents before children."""
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from iter_paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from iter_paths(v, (*path, i))
