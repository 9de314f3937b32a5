"""One test per kind of scenario problem, each asserting its exact file:line:col and message.

Line numbers refer to MINIMAL in conftest.py (line 22 is the choice `go`, line 24 scene b's ending).
"""

from __future__ import annotations

import pytest
from conftest import MINIMAL

from simgame import ScenarioError, compile_source
from simgame.conditions import AllOf, Compare, FlagSet, Not


def problems(text: str, *, errors_only: bool = False) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        compile_source(text, filename="t.yaml")
    issues = info.value.errors if errors_only else info.value.issues
    return [str(i) for i in issues]


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_minimal_scenario_compiles_without_warnings() -> None:
    sc = compile_source(MINIMAL, filename="t.yaml")
    assert sc.id == "t" and sc.start == "a" and sc.warnings == ()
    assert [p.id for p in sc.people] == ["mara", "chen"]


def test_unknown_next_scene_with_did_you_mean() -> None:
    text = edit("  - id: b\n", "  - id: exit_hall\n", edit("next: b}", "next: exit_hal}"))
    assert problems(text) == [
        "t.yaml:22:34: error: choice 'go' goes to scene 'exit_hal', which does not exist (did you mean 'exit_hall'?)",
        "t.yaml:23:5: warning: scene 'exit_hall' cannot be reached from 'a'",
    ]


def test_misspelt_key_is_reported_at_the_key_with_did_you_mean() -> None:
    assert problems(edit("{id: go, text: Go,", "{id: go, txt: Go,")) == [
        "t.yaml:22:9: error: choice 'go' in scene 'a' is missing the required key 'text'",
        "t.yaml:22:18: error: unknown key 'txt' in choice 'go' in scene 'a' (did you mean 'text'?)",
    ]


def test_missing_top_level_key_points_at_the_file_start() -> None:
    assert problems(edit("role: R\n", "")) == ["t.yaml:1:1: error: the scenario is missing the required key 'role'"]


def test_wrong_type_names_the_value_and_what_was_expected() -> None:
    assert problems(edit("minutes: 1", "minutes: '10'")) == [
        "t.yaml:6:10: error: 'minutes' in the scenario should be a whole number, got '10' "
        "(write a number without quotes)"
    ]


def test_a_number_where_text_is_expected_suggests_quotes() -> None:
    assert problems(edit('version: "1"', "version: 1.10")) == [
        "t.yaml:7:10: error: 'version' in the scenario should be text, got 1.1 (put it in quotes: \"1.1\")"
    ]


def test_bad_id_suggests_a_valid_one() -> None:
    assert problems(edit("id: go,", "id: Go Now,")) == [
        "t.yaml:22:14: error: 'Go Now' is not a valid id ('id' in choice 'Go Now' in scene 'a'): use "
        "lower-case letters, digits and _, starting with a letter (try 'go_now')"
    ]


def test_unknown_band_gets_did_you_mean() -> None:
    assert problems(edit("band: better", "band: beter")) == [
        "t.yaml:24:20: error: 'band' in ending in scene 'b' is 'beter'; expected 'much_worse', 'worse', "
        "'expected', 'better' or 'much_better' (did you mean 'better'?)"
    ]


def test_unknown_tag_gets_did_you_mean() -> None:
    [msg] = problems(edit("text: Go,", "text: Go, tags: [refferal],"))
    assert msg.startswith("t.yaml:22:35: error: item 1 of 'tags' in choice 'go' in scene 'a' is 'refferal'")
    assert msg.endswith("(did you mean 'referral'?)")


def test_yes_is_not_a_boolean() -> None:
    text = MINIMAL + "events:\n  - {id: e, when: {flags: [x]}, goto: b, once: yes}\n"
    assert problems(text) == ["t.yaml:26:48: error: 'once' in event 'e' should be true or false, got 'yes'"]


def test_duplicate_scene_id() -> None:
    assert problems(edit("  - id: b\n", "  - id: a\n")) == [
        "t.yaml:22:34: error: choice 'go' goes to scene 'b', which does not exist",
        "t.yaml:23:9: error: duplicate scene id 'a' (first at line 20)",
    ]


def test_duplicate_choice_id() -> None:
    text = edit(
        "      - {id: go, text: Go, next: b}\n",
        "      - {id: go, text: Go, next: b}\n      - {id: go, text: Again, next: b}\n",
    )
    assert problems(text, errors_only=True) == ["t.yaml:23:14: error: duplicate choice id 'go' (first at line 22)"]


def test_trust_effect_on_unknown_member_points_at_the_key() -> None:
    assert problems(edit("next: b}", "next: b, effects: {trust: {chenn: 2}}}")) == [
        "t.yaml:22:55: error: trust effect on person 'chenn', which does not exist (did you mean 'chen'?)"
    ]


def test_effect_on_unknown_meter() -> None:
    assert problems(edit("next: b}", "next: b, effects: {meters: {housin: 2}}}")) == [
        "t.yaml:22:56: error: effect on meter 'housin', which does not exist (did you mean 'housing'?)"
    ]


def test_condition_on_unknown_meter_and_empty_comparison() -> None:
    text = edit("next: b}", "next: b, when: {meters: {housing: {}, safety: {gt: 1}}}}")
    assert problems(text, errors_only=True) == [
        "t.yaml:22:62: error: comparison needs one of lt, lte, gt, gte, eq, ne (e.g. {gte: 40})",
        "t.yaml:22:66: error: condition on meter 'safety', which does not exist",
    ]


def test_unknown_start_scene() -> None:
    assert problems(edit("start: a", "start: z")) == [
        "t.yaml:18:8: error: 'start' names scene 'z', which does not exist"
    ]


def test_scene_without_choices_that_is_not_an_ending() -> None:
    assert problems(edit("    ending: {band: better, title: Done}\n", "    text: Nothing here.\n")) == [
        "t.yaml:20:3: error: the scenario has no ending: mark at least one scene with 'ending:'",
        "t.yaml:23:5: error: scene 'b' has no choices and is not an ending (add choices, or mark it "
        "with 'ending: {band: ..., title: ...}')",
    ]


def test_ending_with_choices_is_an_error() -> None:
    text = edit(
        "    ending: {band: better, title: Done}\n",
        "    ending: {band: better, title: Done}\n    choices: [{id: x, text: X, next: a}]\n",
    )
    assert problems(text) == [
        "t.yaml:24:13: error: scene 'b' is an ending but also has choices (an ending is a final scene: "
        "remove its choices or its 'ending')"
    ]


def test_meter_start_outside_its_range() -> None:
    assert problems(edit("start: 50}", "start: 150}")) == [
        "t.yaml:17:42: error: meter 'housing' starts at 150, outside 0..100"
    ]


def test_unknown_speaker() -> None:
    text = edit("  - id: a\n", "  - id: a\n    lines: [{speaker: chem, text: Hi}]\n")
    assert problems(text) == ["t.yaml:21:23: error: speaker 'chem' is not in the cast (did you mean 'chen'?)"]


def test_expert_names_a_choice_the_scene_does_not_have() -> None:
    text = edit("  - id: b\n", "    expert: {choice: goes, why: W}\n  - id: b\n")
    assert problems(text) == [
        "t.yaml:23:22: error: the expert picks choice 'goes', which does not exist (did you mean 'go'?)"
    ]


def test_time_effect_without_a_clock() -> None:
    assert problems(edit("next: b}", "next: b, effects: {time: 1}}")) == [
        "t.yaml:22:53: error: 'time' passes but the scenario has no clock (add a 'clock:' section)"
    ]


def test_portrait_may_not_leave_the_scenario_folder() -> None:
    text = edit("goals: [G]}", "goals: [G], portrait: ../../etc/passwd}")
    assert problems(text) == [
        "t.yaml:13:64: error: asset path '../../etc/passwd' must stay inside the scenario's folder or "
        "the shipped assets (no '..', no absolute paths)"
    ]


def test_missing_portrait_is_reported_with_its_line() -> None:
    [msg] = problems(edit("profession: MD}", "profession: MD, portrait: nobody.svg}"))
    assert msg.startswith("t.yaml:15:54: error: asset 'nobody.svg' not found")


def test_all_problems_are_collected_not_just_the_first() -> None:
    text = edit("next: b}", "next: c, effects: {trust: {x: 1}}}", edit("start: a", "start: z"))
    assert len(problems(text, errors_only=True)) == 3


def test_warnings_flag_read_never_set_unreachable_scene_and_stuck_scene() -> None:
    text = edit("next: b}", "next: b, when: {flags: [consent]}}")
    text += "  - id: island\n    ending: {band: worse, title: Alone}\n"
    sc = compile_source(text, filename="t.yaml")
    assert [str(w) for w in sc.warnings] == [
        "t.yaml:22:7: warning: every choice in scene 'a' has a condition; if none holds the player is "
        "stuck (give one choice no 'when')",
        "t.yaml:22:52: warning: flag 'consent' is read but never set",
        "t.yaml:25:5: warning: scene 'island' cannot be reached from 'a'",
    ]


def test_conditions_compile_to_a_tree() -> None:
    text = edit("next: b}", "next: b, when: {trust: {chen: {gte: 40}}, not: {flags: [x]}}}")
    text = edit("{id: go,", "{id: other, text: O, next: b, effects: {set_flags: [x]}}\n      - {id: go,", text)
    sc = compile_source(text, filename="t.yaml")
    cond = sc.scenes["a"].choice("go").condition
    assert cond == AllOf((Compare("trust", "chen", "gte", 40), Not(FlagSet("x"))))
