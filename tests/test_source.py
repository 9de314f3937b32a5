"""The YAML reader: positions, and everything a scenario file may not do."""

from __future__ import annotations

import pytest

from simgame.errors import ScenarioError
from simgame.source import MAX_BYTES, MAX_DEPTH, read_yaml


def only_issue(text: str | bytes) -> str:
    with pytest.raises(ScenarioError) as info:
        read_yaml(text, "f.yaml")
    [issue] = info.value.issues
    return str(issue)


def test_yes_no_on_off_stay_words_and_true_false_are_booleans() -> None:
    data, _ = read_yaml("a: [yes, no, on, off, true, False, ~, 12:30, '3', 1.5, -2]\n", "f.yaml")
    assert data["a"] == ["yes", "no", "on", "off", True, False, None, "12:30", "3", 1.5, -2]


def test_positions_are_one_based_and_point_at_values_and_keys() -> None:
    _, pos = read_yaml("top:\n  inner: [1, 22]\n", "f.yaml")
    assert str(pos.span(("top", "inner", 1))) == "f.yaml:2:14"
    assert str(pos.span(("top", "inner"), key=True)) == "f.yaml:2:3"
    assert str(pos.span(("top", "missing", 3))) == "f.yaml:2:3"  # nearest ancestor


def test_duplicate_keys_are_rejected_with_both_lines() -> None:
    assert only_issue("a: 1\nb: 2\na: 3\n") == (
        "f.yaml:3:1: error: duplicate key 'a' (first at line 1) (each key may appear once in a mapping)"
    )


def test_aliases_are_rejected() -> None:
    assert "anchors and aliases" in only_issue("x: &a [1]\ny: *a\n")


def test_billion_laughs_is_rejected_quickly() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    with pytest.raises(ScenarioError) as info:
        read_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert all("aliases" in i.message for i in info.value.issues)


def test_python_tags_are_rejected_and_nothing_runs() -> None:
    text = "x: !!python/object/apply:os.system ['echo hacked']\n"
    assert only_issue(text).startswith("f.yaml:1:4: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'")


def test_deep_nesting_is_refused_before_libyaml_sees_it() -> None:
    assert only_issue("[" * 100_000) == f"f.yaml:1:1: error: the file nests more than {MAX_DEPTH} levels deep"
    assert "nests more than" in only_issue("- " * 5000 + "x\n")


def test_brackets_inside_quoted_text_do_not_count_as_nesting() -> None:
    data, _ = read_yaml('a: ["' + "[" * 500 + '"]\n', "f.yaml")
    assert data["a"] == ["[" * 500]


def test_too_big_files_are_refused() -> None:
    assert "scenario files may be at most 16 MiB" in only_issue(b"a: b\n" * (MAX_BYTES // 5 + 1))


def test_binary_and_wrong_encodings_get_clear_errors() -> None:
    assert only_issue(b"a: \xff\xfe\n") == (
        "f.yaml:1:1: error: the file is not UTF-8 text (byte 0xff at offset 3) (save it as UTF-8 in your editor)"
    )
    assert "binary file" in only_issue(b"a: b\n\x00\x01\x02")


def test_syntax_errors_carry_the_position_and_a_hint() -> None:
    assert only_issue("a: b: c\n") == (
        "f.yaml:1:5: error: YAML syntax: mapping values are not allowed in this context "
        "(put text that contains ': ' in quotes)"
    )


def test_tabs_get_a_hint() -> None:
    assert "use spaces, not tabs" in only_issue("a:\n\tb: 1\n")


def test_empty_and_non_mapping_files() -> None:
    assert only_issue("") == "f.yaml:1:1: error: the file is empty"
    assert "must be a mapping" in only_issue("- a\n- b\n")


def test_non_text_keys_are_rejected() -> None:
    assert "keys must be plain words" in only_issue("? [a, b]\n: 1\n")


def test_utf8_bom_is_accepted() -> None:
    data, _ = read_yaml("\ufeffa: Zoë\n".encode(), "f.yaml")
    assert data == {"a": "Zoë"}


def test_brackets_in_a_quoted_block_value_do_not_count_but_an_apostrophe_opens_no_quote() -> None:
    data, _ = read_yaml('a: "' + "[" * 500 + '"\n', "f.yaml")
    assert data["a"] == "[" * 500
    assert "nests more than" in only_issue("a: it's " + "[" * 150 + "\n")


def test_scalar_aliases_are_rejected_too() -> None:
    assert "anchors and aliases" in only_issue("x: &a word\ny: *a\n")
