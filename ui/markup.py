"""Text that pages pass to Markdown elements: escaped so that nothing a user or a file typed is read as markup."""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.normalize import fold, text_tokens

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones Markdown, GFM tables,
# Streamlit's LaTeX ($) and its :directives: give a meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"=^])")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def escape_markdown(text: str) -> str:
    """`text` as literal Markdown: punctuation escaped, runs of white space (line breaks too) made one space."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", text))


def highlight(text: str, words: Iterable[str]) -> str:
    """Escaped `text` with the words that match `words` (the engine's normalised query words) in bold."""
    wanted = {w.lower() for w in words if w}
    out: list[str] = []
    position = 0
    flat = _SPACE.sub(" ", text).strip()
    for match in _WORD.finditer(flat):
        out.append(escape_markdown(flat[position:match.start()]))
        word = match.group()
        piece = escape_markdown(word)
        if wanted and _forms(word) & wanted:
            piece = f"**{piece}**"
        out.append(piece)
        position = match.end()
    out.append(escape_markdown(flat[position:]))
    return "".join(out)


def _forms(word: str) -> set[str]:
    return set(text_tokens(word)) | {fold(word)}


def escape_paragraphs(text: str) -> str:
    """Like `escape_markdown`, but keeping the text's line breaks (chat replies list candidates one a line)."""
    lines = [escape_markdown(line).strip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        if out and out[-1] != "":
            out[-1] += "  "  # a hard line break inside the paragraph
        out.append(line)
    return "\n".join(out)
