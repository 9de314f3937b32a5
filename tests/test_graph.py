"""The scenario map: golden Mermaid and DOT text, locked and event edges, the Graphviz edge cases."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

import pytest
from golden import assert_matches_golden

from simgame.cli import main
from simgame.compiler import compile_source
from simgame.graph import render, to_dot, to_mermaid
from simgame.scenario import Scenario

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


def _load(rel: str) -> Scenario:
    """Compile a fixture under a fixed file name so that golden output does not depend on cwd."""
    path = FIXTURES / rel
    return compile_source(path.read_bytes(), filename=path.name)


@pytest.mark.parametrize("rel", ["mini.yaml", "authoring/handworked.yaml"])
def test_mermaid_map_matches_golden(rel: str) -> None:
    assert_matches_golden(to_mermaid(_load(rel)), "authoring/" + Path(rel).stem + ".mmd")


@pytest.mark.parametrize("rel", ["mini.yaml", "authoring/handworked.yaml"])
def test_dot_map_matches_golden(rel: str) -> None:
    assert_matches_golden(to_dot(_load(rel)), "authoring/" + Path(rel).stem + ".dot")


def test_locked_choice_is_dashed_and_shows_its_condition() -> None:
    sc = _load("authoring/handworked.yaml")
    mermaid = to_mermaid(sc)
    assert 's_plan -.->|"joint_plan<br/>[collaborative_leadership]<br/>if trust of Sam Nurse ≥ 55"| s_good_end' in mermaid
    assert 's_plan -->|"go_alone<br/>[communication]"| s_ok_end' in mermaid
    dot = to_dot(sc)
    assert ('"plan" -> "good_end" [label="joint_plan\\n[collaborative_leadership]\\n'
            'if trust of Sam Nurse ≥ 55", style=dashed];') in dot


def test_event_edges_and_ending_bands_are_drawn() -> None:
    sc = _load("mini.yaml")
    mermaid = to_mermaid(sc)
    assert "  e_deadline ==> s_hearing" in mermaid
    assert "  class s_good_end much_better" in mermaid
    assert "  class s_poor_end worse" in mermaid
    dot = to_dot(sc)
    assert '"event:deadline" -> "hearing"' in dot
    assert 'fillcolor="#2166ac"' in dot  # much_better


def test_reserved_mermaid_word_and_quotes_are_escaped() -> None:
    text = (FIXTURES / "authoring" / "handworked.yaml").read_text(encoding="utf-8")
    text = text.replace("ok_end", "end").replace('title: "A plan on paper"', 'title: "A \\"plan\\" <b>"')
    sc = compile_source(text, filename="h.yaml")
    mermaid = to_mermaid(sc)
    assert "s_end([" in mermaid and "-->| s_end" not in mermaid
    assert "A #quot;plan#quot; #lt;b#gt;" in mermaid
    assert 'label="end\\nA \\"plan\\" <b>\\nending: expected"' in to_dot(sc)


def test_render_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render(_load("mini.yaml"), "svg")  # type: ignore[arg-type]


def test_graph_command_writes_mermaid_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "map.mmd"
    assert main(["graph", str(FIXTURES / "mini.yaml"), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[1] == "flowchart TD"


def test_svg_without_graphviz_explains_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot`
    assert main(["graph", str(FIXTURES / "mini.yaml"), "--format", "svg"]) == 2
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert "Traceback" not in err


def test_svg_pipes_dot_text_through_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text(f"#!{sys.executable}\nimport sys\ndata = sys.stdin.read()\n"
                    "sys.stdout.write('<svg>' + sys.argv[1] + ' ' + data.splitlines()[0] + '</svg>')\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "map.svg"
    assert main(["graph", str(FIXTURES / "mini.yaml"), "--format", "svg", "-o", str(out)]) == 0
    assert out.read_text() == '<svg>-Tsvg digraph "mini" {</svg>'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (.ci/run installs it)")
@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_real_graphviz_renders_the_map(tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"map.{fmt}"
    assert main(["graph", str(FIXTURES / "mini.yaml"), "--format", fmt, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
