"""Scenario tests as data: `NAME.tests.yaml` beside a scenario, run on the pure core, with coverage.

Trainers test a scenario the way programmers test code: "if the player takes these choices,
Mara ends up housed with autonomy of at least 60". The tests are YAML, read with the same
safe, position-tracking loader as scenarios, so a mistake in a tests file is reported at
its line like a mistake in a scenario. Format::

    scenario: tutorial.yaml            # relative to this file
    tests:
      - name: the expert path
        policy: expert                 # or random (with seed), or first
        expect: {band: much_better, meters: {independence: {gte: 60}}}
      - name: rushing in
        choices: [join_huddle, raise_care_home]   # ids, or scene.choice keys
        expect: {visited: [meet_client], trust: {osei: {lt: 50}}}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from simgame.compiler import load_scenario
from simgame.conditions import OPERATORS, SYMBOLS
from simgame.errors import Issue, ScenarioError, Span, did_you_mean
from simgame.runner import MAX_STEPS, expert_policy, first_policy, play_out, random_policy
from simgame.scenario import BAND_LEVEL, Scenario
from simgame.session import Session
from simgame.source import Positions, read_yaml

SUFFIX: Final = ".tests.yaml"
POLICIES: Final = {"first": first_policy, "random": random_policy, "expert": expert_policy}
TEST_KEYS: Final = ("name", "choices", "policy", "seed", "expect")
EXPECT_KEYS: Final = ("ending", "band", "meters", "trust", "clock", "visited")

Bounds = tuple[tuple[str, int], ...]
"""Comparisons that must all hold, e.g. (("gte", 40), ("lt", 60))."""


@dataclass(frozen=True, slots=True)
class Expect:
    """What a test expects at the end of its playthrough (or where its choices stop)."""

    ending: str | None = None
    band: str | None = None
    meters: tuple[tuple[str, Bounds, Span], ...] = ()
    trust: tuple[tuple[str, Bounds, Span], ...] = ()
    clock: Bounds = ()
    visited: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioTest:
    """One test: a way to play (choices, or a policy and seed) and what to expect."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    span: Span
    choices: tuple[tuple[str, Span], ...] | None
    policy: str | None
    seed: int
    expect: Expect
    expect_span: Span


@dataclass(frozen=True, slots=True)
class TestFile:
    """A parsed tests file and the scenario it tests."""

    __test__ = False  # not a pytest test class, despite the name

    path: Path
    scenario: Scenario
    tests: tuple[ScenarioTest, ...]


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one test; `failures` are printable `file:line:col: message` lines."""

    __test__ = False  # not a pytest test class, despite the name

    test: ScenarioTest
    failures: tuple[str, ...]
    path: tuple[str, ...]
    visited: frozenset[str]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class Coverage:
    """Which scenes and choices the tests reached, out of all of them."""

    scenario: Scenario
    scenes: set[str] = field(default_factory=set)
    choices: set[str] = field(default_factory=set)

    def add(self, visited: Iterator[str] | frozenset[str], path: tuple[str, ...]) -> None:
        self.scenes.update(visited)
        self.choices.update(path)

    @property
    def all_choices(self) -> list[str]:
        return [c.key for s in self.scenario.scenes.values() for c in s.choices]

    def percent(self) -> tuple[float, float]:
        """Scene and choice coverage in percent."""
        n_scenes, n_choices = len(self.scenario.scenes), len(self.all_choices)
        return (100 * len(self.scenes) / n_scenes if n_scenes else 100.0,
                100 * len(self.choices) / n_choices if n_choices else 100.0)

    def missing(self) -> tuple[list[str], list[str]]:
        return ([s for s in self.scenario.scenes if s not in self.scenes],
                [c for c in self.all_choices if c not in self.choices])


@dataclass(frozen=True, slots=True)
class RandomProblem:
    """The first random playthrough that went wrong: its seed, what happened, and its path."""

    seed: int
    message: str
    path: tuple[str, ...]


# --- reading --------------------------------------------------------------------------------


def tests_file_for(scenario_path: Path) -> Path:
    """`x.yaml` -> `x.tests.yaml` beside it."""
    return scenario_path.with_name(scenario_path.stem + SUFFIX)


def read_tests(path: str | Path) -> TestFile:
    """Read a tests file and load the scenario it names.

    Raises:
        ScenarioError: every problem in the tests file (with positions), or in the scenario.
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Issue("error", f"cannot read the tests file: {exc.strerror}", Span(name, 1, 1))]) from None
    data, pos = read_yaml(raw, name)
    return _Reader(path, data, pos).read()


class _Reader:
    """Checks the shape of a tests file against its scenario, collecting every issue."""

    def __init__(self, path: Path, data: dict[str, Any], pos: Positions) -> None:
        self.path, self.data, self.pos = path, data, pos
        self.issues: list[Issue] = []

    def error(self, where: tuple[str | int, ...], message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.issues.append(Issue("error", message, self.pos.span(where, key=key), hint))

    def read(self) -> TestFile:
        self._keys((), self.data, ("scenario", "tests"))
        ref = self.data.get("scenario")
        if not isinstance(ref, str):
            self.error(("scenario",), "'scenario' must name the scenario file, e.g. scenario: tutorial.yaml")
            raise ScenarioError(self.issues)
        scenario = load_scenario(self.path.parent / ref)
        items = self.data.get("tests")
        if not isinstance(items, list) or not items:
            self.error(("tests",), "'tests' must be a list with at least one test")
            raise ScenarioError(self.issues)
        tests = [t for i, item in enumerate(items) if (t := self._test(i, item, scenario)) is not None]
        if self.issues:
            raise ScenarioError(self.issues)
        return TestFile(self.path, scenario, tuple(tests))

    def _keys(self, where: tuple[str | int, ...], value: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in value:
            if key not in allowed:
                self.error((*where, key), f"unknown key {key!r}", did_you_mean(key, allowed) or
                           "expected one of " + ", ".join(allowed), key=True)

    def _test(self, i: int, item: Any, sc: Scenario) -> ScenarioTest | None:
        where: tuple[str | int, ...] = ("tests", i)
        if not isinstance(item, dict):
            self.error(where, "a test must be a mapping with name, choices or policy, and expect")
            return None
        self._keys(where, item, TEST_KEYS)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            self.error(where, "a test needs a 'name'")
            name = f"test {i + 1}"
        choices, policy = item.get("choices"), item.get("policy")
        seed = item.get("seed", 0)
        if (choices is None) == (policy is None):
            self.error(where, f"test {name!r} needs either 'choices' or 'policy', not both or neither")
        if choices is not None and (not isinstance(choices, list) or not all(isinstance(c, str) for c in choices)):
            self.error((*where, "choices"), "'choices' must be a list of choice ids")
            choices = None
        if policy is not None and policy not in POLICIES:
            self.error((*where, "policy"), f"unknown policy {policy!r}", "use random, expert or first")
        if not isinstance(seed, int) or isinstance(seed, bool):
            self.error((*where, "seed"), "'seed' must be a whole number")
            seed = 0
        expect = item.get("expect")
        if not isinstance(expect, dict) or not expect:
            self.error((*where, "expect"), f"test {name!r} needs an 'expect' mapping",
                       "e.g. expect: {ending: good_end}")
            expect = {}
        return ScenarioTest(
            name, self.pos.span(where),
            tuple((c, self.pos.span((*where, "choices", k))) for k, c in enumerate(choices)) if choices else None,
            policy if isinstance(policy, str) else None, seed,
            self._expect((*where, "expect"), expect, sc), self.pos.span((*where, "expect")),
        )

    def _expect(self, where: tuple[str | int, ...], e: dict[str, Any], sc: Scenario) -> Expect:
        self._keys(where, e, EXPECT_KEYS)
        ending, band = e.get("ending"), e.get("band")
        endings = [s.id for s in sc.endings]
        if ending is not None and ending not in endings:
            self.error((*where, "ending"), f"{ending!r} is not an ending of {sc.id!r}",
                       did_you_mean(str(ending), endings))
        if band is not None and band not in BAND_LEVEL:
            self.error((*where, "band"), f"unknown band {band!r}", "use " + ", ".join(BAND_LEVEL))
        meters = self._table((*where, "meters"), e.get("meters"), [m.id for m in sc.meters], "meter")
        trust = self._table((*where, "trust"), e.get("trust"), [p.id for p in sc.people], "person")
        clock = self._bounds((*where, "clock"), e["clock"]) if "clock" in e else ()
        visited = e.get("visited") or []
        if not isinstance(visited, list):
            self.error((*where, "visited"), "'visited' must be a list of scene ids")
            visited = []
        for k, s in enumerate(visited):
            if s not in sc.scenes:
                self.error((*where, "visited", k), f"unknown scene {s!r}", did_you_mean(str(s), sc.scenes))
        return Expect(ending, band, meters, trust, clock,
                      tuple((s, self.pos.span((*where, "visited", k))) for k, s in enumerate(visited)))

    def _table(self, where: tuple[str | int, ...], value: Any, known: list[str],
               what: str) -> tuple[tuple[str, Bounds, Span], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(where, f"expected a mapping of {what} ids to bounds, e.g. {{gte: 40}}")
            return ()
        out = []
        for key, bounds in value.items():
            if key not in known:
                self.error((*where, key), f"unknown {what} {key!r}", did_you_mean(key, known), key=True)
                continue
            out.append((key, self._bounds((*where, key), bounds), self.pos.span((*where, key))))
        return tuple(out)

    def _bounds(self, where: tuple[str | int, ...], value: Any) -> Bounds:
        if isinstance(value, int) and not isinstance(value, bool):
            return (("eq", value),)
        if isinstance(value, dict) and value and all(
                op in OPERATORS and isinstance(v, int) and not isinstance(v, bool) for op, v in value.items()):
            return tuple(value.items())
        self.error(where, "expected a whole number or comparisons such as {gte: 40, lt: 60}",
                   "operators: " + ", ".join(OPERATORS))
        return ()


# --- running --------------------------------------------------------------------------------


def _check(bounds: Bounds, actual: int) -> str | None:
    failed = [f"{SYMBOLS[op]} {v}" for op, v in bounds if not OPERATORS[op](actual, v)]
    return f"is {actual}, expected {' and '.join(failed)}" if failed else None


def run_test(sc: Scenario, test: ScenarioTest) -> TestResult:
    """Play one test on a fresh Session and compare the result with its expectations."""
    session = Session(sc, seed=test.seed)
    failures: list[str] = []
    if test.choices is not None:
        for cid, span in test.choices:
            wanted_scene, _, bare = cid.rpartition(".")
            options = session.available()
            if session.is_over or (wanted_scene and wanted_scene != session.state) or \
                    bare not in [c.id for c in options]:
                offered = ", ".join(c.id for c in options) or "nothing (the story has ended)"
                failures.append(f"{span}: choice {cid!r} is not available in scene {session.state!r} "
                                f"(offered: {offered})")
                break
            session.choose(bare)
    else:
        assert test.policy is not None
        session = play_out(sc, POLICIES[test.policy], seed=test.seed)
    failures += _compare(sc, session, test)
    return TestResult(test, tuple(failures), session.path, frozenset(session.vars.visited))


def _compare(sc: Scenario, session: Session, test: ScenarioTest) -> list[str]:
    e, at = test.expect, test.expect_span
    out: list[str] = []
    if e.ending is not None and session.state != e.ending:
        got = f"ending {session.state!r}" if session.is_over else f"no ending (stopped in {session.state!r})"
        out.append(f"{at}: expected ending {e.ending!r}, got {got}")
    if e.band is not None:
        band = session.ending.band if session.ending else None
        if band != e.band:
            out.append(f"{at}: expected band {e.band!r}, got {band!r}")
    for key, bounds, span in e.meters:
        if (problem := _check(bounds, session.meters[key])) is not None:
            out.append(f"{span}: meter {key!r} {problem}")
    for key, bounds, span in e.trust:
        if (problem := _check(bounds, session.trust[key])) is not None:
            out.append(f"{span}: trust of {key!r} {problem}")
    if e.clock and (problem := _check(e.clock, session.clock)) is not None:
        out.append(f"{at}: clock {problem}")
    for scene, span in e.visited:
        if scene not in session.vars.visited:
            out.append(f"{span}: scene {scene!r} was not visited")
    return out


def random_runs(sc: Scenario, n: int, *, first_seed: int = 0,
                coverage: Coverage | None = None) -> tuple[int, RandomProblem | None]:
    """Up to `n` seeded random playthroughs, stopping at the first that fails.

    A failure is an exception, a run stuck in a scene with nothing to choose, or a run
    still going after MAX_STEPS choices (a loop). Returns how many ran and the problem.
    """
    for i in range(n):
        seed = first_seed + i
        try:
            session = play_out(sc, random_policy, seed=seed)
        except Exception as exc:  # any exception is a bug the author needs to hear about
            return i + 1, RandomProblem(seed, f"the run raised {type(exc).__name__}: {exc}", ())
        if coverage is not None:
            coverage.add(frozenset(session.vars.visited), session.path)
        if not session.is_over:
            what = ("got stuck: nothing can be chosen" if not session.available()
                    else f"did not end after {MAX_STEPS} choices (a loop)")
            return i + 1, RandomProblem(seed, f"the run {what} in scene {session.state!r}", session.path)
    return n, None


def find_test_files(paths: list[str]) -> tuple[list[Path], list[Issue]]:
    """Tests files named directly, beside named scenarios, or in named folders."""
    files: list[Path] = []
    issues: list[Issue] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob(f"*{SUFFIX}"))
            if not found:
                issues.append(Issue("error", f"no tests files (*{SUFFIX}) here", Span(raw, 1, 1)))
            files += found
        elif p.name.endswith(SUFFIX):
            files.append(p)
        else:
            beside = tests_file_for(p)
            if beside.exists():
                files.append(beside)
            else:
                issues.append(Issue("error", f"no tests file {beside.name} beside this scenario",
                                    Span(raw, 1, 1), "simgame new writes one to start from"))
    return files, issues


__all__ = [
    "Coverage", "Expect", "RandomProblem", "ScenarioTest", "TestFile", "TestResult", "find_test_files",
    "random_runs", "read_tests", "run_test", "tests_file_for",
]
