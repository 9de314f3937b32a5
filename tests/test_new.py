"""`simgame new`: the starter scenario validates, analyses clean, its tests pass, and nothing is overwritten."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simgame.analysis import analyze
from simgame.cli import main
from simgame.compiler import load_scenario
from simgame.scaffold import new_scenario, scenario_id
from simgame.scenario_tests import random_runs, read_tests, run_test
from simgame.schema import json_schema


def test_starter_is_valid_clean_and_its_tests_pass(tmp_path: Path) -> None:
    made = new_scenario("Home visit", tmp_path)
    assert (made.scenario.name, made.tests.name) == ("home_visit.yaml", "home_visit.tests.yaml")
    sc = load_scenario(made.scenario)
    assert (sc.id, sc.title) == ("home_visit", "Home visit")
    assert sc.warnings == ()
    assert analyze(sc).findings == []
    tf = read_tests(made.tests)
    assert [run_test(tf.scenario, t).failures for t in tf.tests] == [(), ()]
    assert random_runs(sc, 30) == (30, None)


def test_starter_has_the_schema_modeline_and_writes_a_schema_when_the_project_has_none(tmp_path: Path) -> None:
    made = new_scenario("visit", tmp_path)
    first = made.scenario.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=scenario.schema.json"
    assert made.schema_written
    assert json.loads((tmp_path / "scenario.schema.json").read_text(encoding="utf-8")) == json_schema()


def test_modeline_points_at_the_projects_docs_schema(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "scenario.schema.json").write_text("{}", encoding="utf-8")
    made = new_scenario("visit", tmp_path / "scenarios")
    first = made.scenario.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/scenario.schema.json"
    assert not made.schema_written
    assert not (tmp_path / "scenarios" / "scenario.schema.json").exists()


def test_new_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "visit.tests.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match=re.escape("visit.tests.yaml already exists")):
        new_scenario("visit", tmp_path)
    assert not (tmp_path / "visit.yaml").exists()
    assert (tmp_path / "visit.tests.yaml").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("name", "ident"), [("Home visit", "home_visit"), ("2nd try", "s_2nd_try"),
                                             ("  Mara's  case! ", "mara_s_case")])
def test_names_become_valid_ids(name: str, ident: str) -> None:
    assert scenario_id(name) == ident


def test_a_name_without_letters_is_refused() -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        scenario_id("!!!")


def test_new_command_and_its_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Team \"huddle\"", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'team_huddle.yaml'}" in out
    assert load_scenario(tmp_path / "team_huddle.yaml").title == 'Team "huddle"'
    assert main(["new", "team huddle", "-o", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["test", str(tmp_path / "team_huddle.yaml")]) == 0
