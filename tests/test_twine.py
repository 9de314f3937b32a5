"""Twine import: Twee 3 and Twine 2 HTML fixtures written from the specifications; macros are reported, never run."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden import assert_matches_golden

from simgame.cli import main
from simgame.compiler import compile_source
from simgame.errors import ScenarioError
from simgame.twine import find_macros, import_twine, parse_html, parse_links, parse_twee, slug

TWINE = Path(__file__).resolve().parent / "fixtures" / "authoring" / "twine"


def _messages(issues: list[object]) -> list[str]:
    return [str(i).split(": warning: ", 1)[1] if ": warning: " in str(i) else str(i) for i in issues]


# --- links and macros -----------------------------------------------------------------------


def test_all_link_forms_are_read() -> None:
    links = parse_links("[[Ask->Her goals]] [[Lawyer<-Call her]] [[Skip|The end]] [[Plain]] "
                        "[[a->b->c]] [[x<-y<-z]] [[Book|Visit][$v to true]]")
    assert [(k.text, k.target, k.setter) for k in links] == [
        ("Ask", "Her goals", None), ("Call her", "Lawyer", None), ("Skip", "The end", None),
        ("Plain", "Plain", None), ("a->b", "c", None), ("y<-z", "x", None), ("Book", "Visit", "$v to true"),
    ]


def test_macros_of_both_formats_are_found_with_their_positions() -> None:
    text = "Hello (set: $a to 1)\n  <<if $b>>yes<</if>> (link-goto: \"x\", \"y\")\n(just a remark)"
    assert list(find_macros(text)) == [
        ("Harlowe", "set", 1, 7), ("SugarCube", "if", 2, 3), ("Harlowe", "link-goto", 2, 23),
    ]


def test_slugs_are_valid_ids() -> None:
    assert (slug("The Lobby (2)", "p"), slug("2 doors", "p"), slug("!!", "p")) == ("the_lobby_2", "p_2_doors", "p")


# --- Twee 3 ---------------------------------------------------------------------------------


def test_twee_header_escapes_tags_metadata_and_special_passages() -> None:
    story, issues = parse_twee((TWINE / "harlowe.twee").read_text(encoding="utf-8"), "h.twee")
    assert (story.title, story.start, story.format, story.format_version) == (
        "The Rent Letter", "Waiting room", "Harlowe", "3.3.8")
    names = [p.name for p in story.passages]
    assert names == ["Waiting room", "Her goals", "Promise", "Legal[1]", "Good end", "Bad end", "Notes", "Hidden"]
    by_name = {p.name: p for p in story.passages}
    assert by_name["Waiting room"].tags == ("intro", "clinic")
    assert by_name["Good end"].text == "Mara keeps her flat."  # trailing blank lines dropped
    assert by_name["Bad end"].text == "Mara loses the flat.\n:: this line starts with two colons"
    assert by_name["Promise"].tags == ("risky",)  # malformed metadata does not lose the tags
    assert [str(i) for i in issues] == [
        "h.twee:26:1: warning: passage 'Promise': malformed metadata '{\"position\": broken json}' ignored "
        "(expected a JSON object such as {\"position\":\"600,400\"})",
        "h.twee:42:1: warning: a second passage called 'Bad end'; skipped (passage names must be unique)",
        "h.twee:48:1: warning: passage 'Hidden': tag block '[' is never closed; tags ignored",
    ]


def test_malformed_story_data_is_reported_and_the_import_continues() -> None:
    text, issues = import_twine(TWINE / "sugarcube.twee")
    messages = _messages(issues)
    assert messages[0] == "StoryData is not a JSON object; ignored (the start passage defaults to 'Start')"
    assert "start: start" in text
    assert compile_source(text, filename="s.yaml").start == "start"


def test_twee_import_validates_and_keeps_structure() -> None:
    text, issues = import_twine(TWINE / "harlowe.twee")
    sc = compile_source(text, filename="h.yaml")
    assert sc.start == "waiting_room"
    assert [c.next for c in sc.scenes["waiting_room"].choices] == ["her_goals", "promise", "legal_1"]
    assert [c.text for c in sc.scenes["waiting_room"].choices] == [
        "Ask what she wants", "Tell her it will be fine", "Call the lawyer"]
    assert {s.id for s in sc.endings} == {"good_end", "bad_end", "hidden"}
    assert "notes" not in sc.scenes  # a stylesheet passage is not a scene
    assert "  # Twine passage \"Waiting room\" [tags: intro clinic]" in text
    assert sc.scenes["waiting_room"].text == "Mara shows you a letter from her landlord.\n(set: $trust to 50)"
    assert [str(i) for i in issues if "macro" in str(i)] == [
        f"{TWINE / 'harlowe.twee'}:15:1: warning: Harlowe macro 'set' in passage 'Waiting room' (line 2 of the "
        "passage) was not executed; convert it by hand (use choice conditions and effects)",
        f"{TWINE / 'harlowe.twee'}:22:1: warning: Harlowe macro 'if' in passage 'Her goals' (line 2 of the "
        "passage) was not executed; convert it by hand (use choice conditions and effects)",
    ]
    assert "link to 'Nowhere' in passage 'Her goals' leads to no imported passage; dropped" in _messages(issues)


def test_sugarcube_macros_setters_and_special_passages_are_reported() -> None:
    _, issues = import_twine(TWINE / "sugarcube.twee")
    assert _messages(issues)[1:] == [
        "passage 'StoryInit' is a special passage; not imported as a scene",
        "SugarCube macro 'set' in passage 'StoryInit' (line 1 of the passage) was not executed; "
        "convert it by hand (use choice conditions and effects)",
        "SugarCube macro 'if' in passage 'Start' (line 2 of the passage) was not executed; "
        "convert it by hand (use choice conditions and effects)",
        "SugarCube link setter [$visited to true] in passage 'Start' was not executed; convert it by hand "
        "(use the choice's effects)",
    ]


def test_twee_import_matches_golden() -> None:
    text, _ = import_twine(TWINE / "harlowe.twee")
    assert_matches_golden(text, "authoring/harlowe.import.yaml")


# --- Twine 2 HTML ---------------------------------------------------------------------------


def test_published_html_is_read_with_entities_tags_and_start_node() -> None:
    story, issues = parse_html((TWINE / "published.html").read_text(encoding="utf-8"), "p.html")
    assert issues == []
    assert (story.title, story.start, story.format) == ("Team huddle", "Huddle & plan", "Harlowe")
    assert [p.name for p in story.passages] == ["Unused", "Huddle & plan", "Roles", "The end"]
    huddle = story.passages[1]
    assert huddle.tags == ("start", "team") and huddle.line == 13
    assert story.passages[3].text == '"Done," says the nurse <b>firmly</b>.'


def test_published_html_import_validates() -> None:
    text, issues = import_twine(TWINE / "published.html")
    sc = compile_source(text, filename="p.yaml")
    assert sc.start == "huddle_plan"
    assert [(c.id, c.next) for c in sc.scenes["huddle_plan"].choices] == [
        ("clarify_roles", "roles"), ("ask_who_does_what", "roles"), ("skip_it", "the_end")]
    assert [str(i) for i in issues] == [
        f"{TWINE / 'published.html'}:14:1: warning: Harlowe macro 'set' in passage 'Huddle & plan' (line 2 of "
        "the passage) was not executed; convert it by hand (use choice conditions and effects)"]


def test_archive_imports_the_first_story_and_says_so() -> None:
    text, issues = import_twine(TWINE / "archive.html")
    assert compile_source(text, filename="a.yaml").id == "first_story"
    assert _messages(issues)[0] == ("the archive holds 2 stories; importing the first, 'First story' "
                                    "(choose another with --story NAME: 'First story', 'Second story')")
    assert "SugarCube macro 'set' in passage 'Begin'" in _messages(issues)[1]


def test_archive_story_can_be_chosen_by_name() -> None:
    text, issues = import_twine(TWINE / "archive.html", story="Second story")
    sc = compile_source(text, filename="a.yaml")
    assert (sc.id, sc.start) == ("second_story", "opening")
    assert _messages(issues) == ["a <tw-passagedata> without a name; skipped"]


def test_unknown_story_name_and_non_twine_html_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no story called 'nope'"):
        import_twine(TWINE / "archive.html", story="nope")
    page = tmp_path / "page.html"
    page.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a Twine 2 story or archive"):
        import_twine(page)


# --- the command ----------------------------------------------------------------------------


def test_import_command_writes_a_valid_file_and_refuses_to_overwrite(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rent.yaml"
    assert main(["import-twine", str(TWINE / "harlowe.twee"), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "wrote" in captured.out and "Harlowe macro 'set'" in captured.err
    assert main(["validate", str(out)]) == 0
    assert main(["import-twine", str(TWINE / "harlowe.twee"), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["import-twine", str(TWINE / "published.html")]) == 0
    assert capsys.readouterr().out.startswith("# Imported from published.html")
