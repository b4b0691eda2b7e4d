"""Escaping for Streamlit Markdown: what a user or a file typed is shown, never interpreted."""

from __future__ import annotations

import re

import pytest

from ui.markup import escape_markdown, escape_paragraphs, highlight


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "**bold** _it_ `code` [link](javascript:alert(1)) ![img](x.png)",
    "# heading\n- item\n1. item\n> quote",
    "$x^2$ :red[colour] :smile: | a | b |",
    "AT&T &amp; O*NET® ~~struck~~",
])
def test_escaped_text_reads_back_as_itself_with_every_special_character_escaped(text: str) -> None:
    escaped = escape_markdown(text)
    assert unescape(escaped) == " ".join(text.split())
    assert not re.search(r"(?<!\\)[*_`\[\]()<>#$:|&~!]", escaped)


def test_line_breaks_become_spaces_so_text_cannot_start_a_block() -> None:
    assert escape_markdown("a\n# b\n\n- c") == "a \\# b \\- c"


def test_highlight_bolds_the_words_the_engine_matched_on() -> None:
    shown = highlight("Operates sewing machines to join layers.", ["sewing", "machine"])
    assert shown == "Operates **sewing** **machines** to join layers\\."


def test_highlight_escapes_the_text_around_and_inside_the_bold_words() -> None:
    shown = highlight("Supervise nurses' aides <b>now</b>", ["nurse"])
    assert shown == "Supervise **nurses**' aides \\<b\\>now\\</b\\>"
    assert highlight("No match here", []) == "No match here"


def test_escape_paragraphs_keeps_line_breaks_and_escapes_each_line() -> None:
    text = "Noted: <b>x</b>.\n\n\nClosest:\n1. Nurses (29-1141.00)\n2. [x](javascript:alert(1))\n\nWhat else?"
    assert escape_paragraphs(text) == (
        "Noted\\: \\<b\\>x\\</b\\>\\.\n\n"
        "Closest\\:  \n1\\. Nurses \\(29\\-1141\\.00\\)  \n2\\. \\[x\\]\\(javascript\\:alert\\(1\\)\\)\n\n"
        "What else?"
    )
