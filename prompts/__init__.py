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
