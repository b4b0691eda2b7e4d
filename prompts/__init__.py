"""The product's prompts, one file each, rendered strictly.

A prompt file is a `string.Template` with `$name` placeholders (`$$` for a literal dollar). Rendering fails
when a placeholder has no value or a value has no placeholder, so a renamed variable cannot silently send
an incomplete prompt. Lists (candidates, evidence) are built in Python and placed in as text.
Text a customer wrote goes in through `fence`, which marks it as data rather than instructions.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

from retrieval.errors import OcaError

PROMPTS_DIR = Path(__file__).parent
DATA_TAG = "customer_text"
_TAG_RE = re.compile(rf"<\s*/?\s*{DATA_TAG}\s*>", re.IGNORECASE)


class PromptError(OcaError):
    """A prompt that does not exist, or rendering it with missing or unknown variables."""


def names() -> list[str]:
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.md"))


def render(name: str, **variables: object) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt named '{name}' in {PROMPTS_DIR}; the prompts are: {', '.join(names())}")
    template = string.Template(path.read_text(encoding="utf-8"))
    if not template.is_valid():
        raise PromptError(f"prompt '{name}' has a malformed placeholder (write $$ for a literal dollar sign)")
    expected = set(template.get_identifiers())
    missing = sorted(expected - variables.keys())
    unknown = sorted(variables.keys() - expected)
    if missing or unknown:
        detail = "; ".join(
            part for part in (
                f"missing: {', '.join(missing)}" if missing else "",
                f"not in the prompt: {', '.join(unknown)}" if unknown else "",
            ) if part
        )
        raise PromptError(f"prompt '{name}' cannot be rendered ({detail})")
    return template.substitute({key: str(value) for key, value in variables.items()})


def fence(text: str) -> str:
    """`text` inside data tags; tags inside the text are defused so it cannot close the fence early."""
    inner = _TAG_RE.sub("[tag removed]", text.strip())
    return f"<{DATA_TAG}>\n{inner}\n</{DATA_TAG}>"


_WORD_RE = re.compile(r"[a-z0-9]+")
ECHO_WORDS = 12  # a run this long of a prompt's own words in a model's answer is the prompt repeated, not chance


def _runs(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


_instruction_runs: set[tuple[str, ...]] | None = None


def _prompt_runs() -> set[tuple[str, ...]]:
    """Every ECHO_WORDS-word run of the prompts' own instructions (placeholders split a run: the values placed
    in them are the job and its evidence, which an answer may quote)."""
    global _instruction_runs
    if _instruction_runs is None:
        runs: set[tuple[str, ...]] = set()
        for path in PROMPTS_DIR.glob("*.md"):
            for segment in re.split(r"\$\w+|\$\{\w+\}", path.read_text(encoding="utf-8")):
                runs |= _runs(_WORD_RE.findall(segment.lower()), ECHO_WORDS)
        _instruction_runs = runs
    return _instruction_runs


def repeats_instructions(text: str) -> str | None:
    """The first run of a prompt's instructions that `text` repeats word for word (a model that was talked
    into printing its prompt), else None."""
    words = _WORD_RE.findall(text.lower())
    found = _runs(words, ECHO_WORDS) & _prompt_runs()
    if not found:
        return None
    first = min(found, key=lambda run: " ".join(words).find(" ".join(run)))
    return " ".join(first)
