"""Scenario tests as data: reading NAME.tests.yaml, running it, coverage, random playthroughs, the command."""

from __future__ import annotations

import shutil
from pathlib import Path
from textwrap import dedent

import pytest

from simgame.cli import main
from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.scenario_tests import Coverage, find_test_files, random_runs, read_tests, run_test

AUTHORING = Path(__file__).resolve().parent / "fixtures" / "authoring"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with copies of the hand-worked and stuck scenarios, to write tests files beside."""
    for name in ("handworked.yaml", "stuck.yaml"):
        shutil.copy(AUTHORING / name, tmp_path / name)
    return tmp_path


def _write(folder: Path, text: str, name: str = "handworked.tests.yaml") -> Path:
    path = folder / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_shipped_fixture_tests_pass_with_their_coverage() -> None:
    tf = read_tests(AUTHORING / "handworked.tests.yaml")
    cov = Coverage(tf.scenario)
    results = [run_test(tf.scenario, t) for t in tf.tests]
    assert [r.passed for r in results] == [True, True, True]
    for r in results:
        cov.add(r.visited, r.path)
    assert (len(cov.scenes), len(cov.choices)) == (3, 4)
    assert cov.missing() == (["archive", "ok_end"], ["plan.go_alone", "archive.back"])
    assert cov.percent() == (60.0, pytest.approx(66.666, abs=0.01))


def test_failed_expectations_point_at_their_lines(work: Path) -> None:
    path = _write(work, """\
        scenario: handworked.yaml
        tests:
          - name: wrong on purpose
            choices: [rush, go_alone]
            expect:
              ending: good_end
              meters: {wellbeing: {gte: 45, lt: 100}}
              trust: {mara: 50}
              visited: [archive]
        """)
    tf = read_tests(path)
    [result] = [run_test(tf.scenario, t) for t in tf.tests]
    assert result.failures == (
        f"{path}:6:7: expected ending 'good_end', got ending 'ok_end'",
        f"{path}:7:27: meter 'wellbeing' is 40, expected ≥ 45",
        f"{path}:8:21: trust of 'mara' is 55, expected = 50",
        f"{path}:9:17: scene 'archive' was not visited",
    )


def test_a_choice_that_is_not_offered_fails_at_its_position(work: Path) -> None:
    path = _write(work, """\
        scenario: handworked.yaml
        tests:
          - name: locked
            choices: [rush, joint_plan]
            expect: {band: much_better}
        """)
    tf = read_tests(path)
    [result] = [run_test(tf.scenario, t) for t in tf.tests]
    assert result.failures[0] == (f"{path}:4:21: choice 'joint_plan' is not available in scene 'plan' "
                                  "(offered: go_alone)")
    assert result.failures[1] == f"{path}:5:13: expected band 'much_better', got None"


def test_mistakes_in_a_tests_file_are_all_reported_with_positions(work: Path) -> None:
    path = _write(work, """\
        scenario: handworked.yaml
        tests:
          - name: typos
            policy: expret
            expect: {endng: good_end, meters: {wellbeng: 3}, band: great}
          - name: both
            choices: [rush]
            policy: first
            expect: {visited: [nowhere], trust: {nurse: {atleast: 3}}}
        """)
    with pytest.raises(ScenarioError) as info:
        read_tests(path)
    assert [str(i) for i in info.value.issues] == [
        f"{path}:4:13: error: unknown policy 'expret' (use random, expert or first)",
        f"{path}:5:14: error: unknown key 'endng' (did you mean 'ending'?)",
        f"{path}:5:60: error: unknown band 'great' (use much_worse, worse, expected, better, much_better)",
        f"{path}:5:40: error: unknown meter 'wellbeng' (did you mean 'wellbeing'?)",
        f"{path}:6:5: error: test 'both' needs either 'choices' or 'policy', not both or neither",
        f"{path}:9:49: error: expected a whole number or comparisons such as {{gte: 40, lt: 60}} "
        "(operators: lt, lte, gt, gte, eq, ne)",
        f"{path}:9:24: error: unknown scene 'nowhere'",
    ]


def test_random_runs_stop_at_the_first_stuck_playthrough() -> None:
    sc = load_scenario(AUTHORING / "stuck.yaml")
    ran, problem = random_runs(sc, 100)
    assert problem is not None
    assert ran == problem.seed + 1 < 100
    assert problem.message in ("the run got stuck: nothing can be chosen in scene 'corridor'",
                               "the run did not end after 10000 choices (a loop) in scene 'trap'",
                               "the run did not end after 10000 choices (a loop) in scene 'trap_far'")
    assert problem.path[0] in ("hub.wander", "hub.circle")


def test_random_runs_of_a_sound_scenario_find_nothing() -> None:
    sc = load_scenario(AUTHORING / "handworked.yaml")
    cov = Coverage(sc)
    assert random_runs(sc, 40, coverage=cov) == (40, None)
    assert cov.scenes == {"intake", "plan", "good_end", "ok_end"}


def test_tests_files_are_found_beside_scenarios_and_in_folders(work: Path) -> None:
    _write(work, "scenario: handworked.yaml\ntests: []\n")
    files, issues = find_test_files([str(work / "handworked.yaml"), str(work), str(work / "stuck.yaml")])
    assert files == [work / "handworked.tests.yaml"] * 2
    [issue] = issues
    assert str(issue) == (f"{work / 'stuck.yaml'}:1:1: error: no tests file stuck.tests.yaml beside this "
                          "scenario (simgame new writes one to start from)")


def test_test_command_prints_results_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(AUTHORING / "handworked.yaml"), "--random", "20"]) == 0
    out = capsys.readouterr().out
    assert "  PASS  the expert path reaches the shared plan" in out
    assert "  coverage: scenes 3/5 (60%), choices 4/6 (67%)" in out
    assert "  random: 20 playthroughs from seed 0: no problems" in out
    assert out.endswith("3 passed, 0 failed\n")


def test_test_command_fails_on_a_failed_test_or_a_random_problem(
        work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(work, "scenario: stuck.yaml\ntests:\n  - {name: ends, policy: first, expect: {ending: done}}\n",
           "stuck.tests.yaml")
    assert main(["test", str(work / "stuck.tests.yaml")]) == 1  # first policy wanders into the dead end
    out = capsys.readouterr().out
    assert "FAIL  ends" in out and "got no ending (stopped in 'corridor')" in out
    _write(work, "scenario: stuck.yaml\ntests:\n  - {name: ends, choices: [finish], expect: {ending: done}}\n",
           "stuck.tests.yaml")
    assert main(["test", str(work / "stuck.tests.yaml"), "--random", "50"]) == 1
    assert "FAIL  random playthrough" in capsys.readouterr().out


def test_test_command_reports_a_broken_tests_file(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(work, "scenario: handworked.yaml\ntests: [{name: x, policy: first}]\n")
    assert main(["test", str(path)]) == 1
    assert f"{path}:2:9: error: test 'x' needs an 'expect' mapping" in capsys.readouterr().out


def test_random_only_for_a_scenario_without_tests_shortens_a_looping_path(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(AUTHORING / "stuck.yaml"), "--random", "30", "--seed", "0"]) == 1
    out = capsys.readouterr().out
    assert "stuck.yaml: no tests file; random playthroughs only" in out
    assert "FAIL  random playthrough 1 (seed 0)" in out
    assert "    path (10000 choices): hub.circle > trap.around > " in out and "... 9985 more ..." in out
    assert main(["test", str(AUTHORING / "handworked.yaml"), str(AUTHORING / "stuck.yaml")]) == 1
    assert "no tests file stuck.tests.yaml beside this scenario" in capsys.readouterr().out
