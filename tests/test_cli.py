"""The command line, through `main(argv)` and, where the process matters, a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, MINIMAL, ROOT

from simgame.cli import main

MINI = str(FIXTURES / "mini.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_valid_file_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(MINIMAL)
    code, out, _ = run(capsys, "validate", str(tmp_path / "ok.yaml"))
    assert code == 0 and out.strip().endswith("1 file valid; 0 warnings")


def test_validate_broken_file_prints_located_errors_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("next: b}", "next: bb}"))
    (tmp_path / "ok.yaml").write_text(MINIMAL)
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 1
    assert out.splitlines() == [
        f"{bad}:22:34: error: choice 'go' goes to scene 'bb', which does not exist (did you mean 'b'?)",
        f"{bad}:23:5: warning: scene 'b' cannot be reached from 'a'",
        "1 error in 1 of 2 files; 1 warning",
    ]


def test_validate_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    code, out, _ = run(capsys, "validate", "--json", str(bad))
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    [issue] = data["files"][0]["issues"]
    assert (issue["line"], issue["severity"]) == (2, "error")


def test_validate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 1 and "nope.yaml:1:1: error: no such file" in out


def test_run_expert_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", MINI, "--policy", "expert", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["path"] == ["intro.ask", "lawyer.refer", "end_check.good"]
    assert (data["ending"], data["band"], data["expert_matches"], data["decisions"]) == (
        "good_end",
        "much_better",
        2,
        2,
    )
    assert data["competencies"] == {"client_centred_care": 1, "referral": 1}


def test_run_choices_policy_and_its_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", MINI, "--policy", "choices:advise,wait,go")
    assert (
        code == 0 and "ending: poor_end" in out and "path (3 choices): intro.advise > lawyer.wait > hearing.go" in out
    )
    code, _, err = run(capsys, "run", MINI, "--policy", "choices:advise,refer")
    assert code == 2 and "choice 'refer' is not available in scene 'lawyer' (offered: wait)" in err
    code, _, err = run(capsys, "run", MINI, "--policy", "clever")
    assert code == 2 and "unknown policy 'clever'" in err


def test_run_many_is_deterministic_and_aggregates(capsys: pytest.CaptureFixture[str]) -> None:
    outs = [
        run(capsys, "run", MINI, "--policy", "random", "--runs", "200", "--seed", "1", "--json")[1] for _ in range(2)
    ]
    assert outs[0] == outs[1]
    data = json.loads(outs[0])
    assert data["runs"] == 200 and sum(data["endings"].values()) == 200 and data["not_ended"] == 0
    assert set(data["endings"]) == {"good_end", "poor_end"}


def test_run_invalid_scenario_prints_errors_not_a_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("start: a", "start: q"))
    code, out, err = run(capsys, "run", str(bad))
    assert code == 1 and "18:8: error: 'start' names scene 'q'" in out and "Traceback" not in out + err


def test_play_text_with_piped_input_reaches_the_debrief() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simgame", "play", "--text", MINI],
        input="1\n1\n1\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Why it matters: Ask first." in out
    assert "Ending: Housed, with a plan she chose. For the client this is much better than expected." in out
    assert "This is formative feedback for learning, not a grade." in out
    assert "Debrief questions:" not in out  # mini has none
    assert "Support and resources:" in out


def test_play_text_assessment_mode_hides_feedback_until_the_end(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("3\nu\n1\n2\n1\n"))
    code, out, _ = run(capsys, "play", "--text", "--mode", "assessment", MINI)
    assert code == 0
    assert "What happened:" not in out
    assert "Undo is off in assessment mode." in out
    assert "That choice is locked: Ms Okafor no longer returns your calls." in out
    assert "Teaching point: Legal questions go to the lawyer." in out


def test_play_text_input_ending_early_is_not_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("9\nx\n"))
    code, out, _ = run(capsys, "play", "--text", MINI)
    assert code == 3
    assert "Type a number from 1 to 3, or h for help." in out and "Input ended before the scenario did." in out


def test_schema_is_valid_json_schema_and_the_shipped_copy_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema")
    assert "scenes" in schema["properties"]
    shipped = ROOT / "docs" / "scenario.schema.json"
    assert json.loads(shipped.read_text()) == schema, "run: simgame schema -o docs/scenario.schema.json"


def test_list_shows_shipped_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0 and "tutorial" in out


def test_python_dash_m_and_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "simgame", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("simgame ")


def test_a_misspelt_scenario_id_gets_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "tutorail")
    assert code == 1
    assert "simgame: no scenario 'tutorail': it is neither a file nor a shipped scenario" in err
    assert err.strip().endswith("did you mean 'tutorial'?")
    code, out, _ = run(capsys, "graph", "tutorial", "--format", "mermaid")
    assert code == 0 and out.startswith("%% Tutorial")
