"""What the LLM may do for the assistant, each step validated, each with the offline path as its answer to failure.

Every function here returns None (or raises `LLMError` from a stream) when the model fails or answers
something unusable; the caller then does the step offline and may show `FALLBACK_NOTICE`. The model only
ever sees `PartA.for_llm()` and message text after `redact` (no names, addresses, e-mail addresses or phone
numbers), and customer text reaches it fenced as data (`prompts.fence`). A model that reranks or names
codes may only choose among the retrieved candidates: anything else is a validation error, re-asked once
by the adapter, then dropped. (The Part B rationale is `assistant.partb`'s own LLM step, built the same way.)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import prompts
from assistant.llm import LLM, LLMError, Message
from assistant.parta import Contact, PartA
from retrieval.models import Candidate

log = logging.getLogger(__name__)

FALLBACK_NOTICE = "The language model could not help with this step, so it was done without it."

# Part A items that are contact details: a question about one of them is never answered through the LLM.
CONTACT_ITEMS = frozenset({
    "contact", "name", "organization", "address", "street", "city", "state", "postal_code", "country",
    "email", "phone", "requester_type", "date",
})
CODE_RE = re.compile(r"\b\d{2}-\d{4}(?:\.\d{2})?\b")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "I'm Ana Ruiz", "my name is Ana": a name the customer gives in passing, before intake has read it as one.
INTRODUCTION_RE = re.compile(r"\b(?i:(?:I'm|I am|I’m)\s+(?=[A-Z]\w+\s+[A-Z])|(?:my name is|this is|name:)\s+)"
                             r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})")
_WORD_RE = re.compile(r"[a-z0-9]+")
_EVIDENCE_SHOWN = 3
MAX_QUESTION_CHARS = 400
MAX_REPLY_CHARS = 3000


# --- keeping contact details out -----------------------------------------------------------------

def redact(text: str, contact: Contact | None = None) -> str:
    """`text` without e-mail addresses, phone numbers and the known contact's name and address."""
    import phonenumbers

    text = EMAIL_RE.sub("[e-mail removed]", text)
    text = INTRODUCTION_RE.sub(lambda m: m.group(0)[: m.start("name") - m.start()] + "[name removed]", text)
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, "US"))):
        text = text[: match.start] + "[phone removed]" + text[match.end:]
    if contact is None:
        return text
    address = contact.address
    known = [contact.name, contact.organization, contact.email, contact.phone]
    if address is not None:
        known += [address.street, address.city, address.postal_code]
    for value in sorted((v for v in known if v and len(v.strip()) > 1), key=len, reverse=True):
        text = re.sub(re.escape(value.strip()), "[removed]", text, flags=re.IGNORECASE)
    if contact.name:
        # Parts of a name ("I'm Maria") only when capitalised as given: "Baker" and "Cook" are also jobs.
        for part in contact.name.split():
            if len(part) >= 3 and part[0].isupper():
                text = re.sub(rf"\b{re.escape(part)}\b", "[removed]", text)
    return text


def job_for_llm(part_a: PartA) -> str:
    """The job items of Part A, redacted and fenced: the only form in which a submission reaches a model."""
    items = _redact_items(part_a.for_llm(), part_a.contact)
    return prompts.fence(json.dumps(items, ensure_ascii=False) if items else "(nothing yet)")


def _redact_items(value: Any, contact: Contact) -> Any:
    if isinstance(value, str):
        return redact(value, contact)
    if isinstance(value, list):
        return [_redact_items(v, contact) for v in value]
    if isinstance(value, dict):
        return {k: _redact_items(v, contact) for k, v in value.items()}
    return value


def _messages(prompt: str, **variables: object) -> list[Message]:
    return [
        {"role": "system", "content": prompts.render("system").strip()},
        {"role": "user", "content": prompts.render(prompt, **variables).strip()},
    ]


_failures: ContextVar[list[str] | None] = ContextVar("oca_llm_failures", default=None)


@contextmanager
def collect_failures() -> Iterator[list[str]]:
    """Within the block, each step that falls back adds the plain sentence to show the user to the list."""
    found: list[str] = []
    token = _failures.set(found)
    try:
        yield found
    finally:
        _failures.reset(token)


def _fallback(task: str, exc: LLMError | ValidationError) -> None:
    log.warning("LLM %s fell back to the offline path: %s", task, exc)
    if (found := _failures.get()) is not None:
        found.append(exc.notice() if isinstance(exc, LLMError)
                     else "The language model's answer was not usable, so this answer was prepared without it.")
    return None


# --- extracting Part A items from free text ----------------------------------------------------

class ExtractedItems(BaseModel):
    """The job items a model may read out of a customer's message (never contact details)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    job_title: str | None = None
    other_titles: list[str] = Field(default_factory=list)
    summary: str | None = None
    duties: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    education: str | None = None
    training: str | None = None
    licenses: list[str] = Field(default_factory=list)
    experience: str | None = None
    supervision_given: str | None = None
    supervision_received: str | None = None
    work_setting: str | None = None
    number_of_workers: int | None = None

    def part_a_items(self) -> dict[str, Any]:
        """As `PartA` fields, leaving out what the message did not give."""
        items: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, list):
                value = [v for v in value if v]
            if value in (None, "", []):
                continue
            if name == "duties":
                value = [{"text": v} for v in value]
            elif name == "industries":
                value = [{"name": v} for v in value]
            items[name] = value
        return items


def _grounded_extraction(source: str) -> type[ExtractedItems]:
    """ExtractedItems that also rejects items the message does not support (a model inventing a job)."""
    source_words = {_stem(w) for w in _WORD_RE.findall(source.lower())}

    class GroundedItems(ExtractedItems):
        @model_validator(mode="after")
        def _check(self) -> GroundedItems:
            items = self.part_a_items()
            try:
                PartA.model_validate(items)  # the form's own limits (lengths, counts)
            except ValidationError as exc:
                raise ValueError(_first_error(exc)) from None
            for name, value in items.items():
                # a title must be the customer's own words, all of them: "Dental Technician" read out of "I work
                # at a dental office" names another occupation; other items may be put in a few words of the model's
                needed = 1.0 if name in ("job_title", "other_titles") else 0.5
                for text in _strings(value):
                    words = [_stem(w) for w in _WORD_RE.findall(text.lower()) if len(w) > 2]
                    if words and sum(w in source_words for w in words) < len(words) * needed:
                        raise ValueError(f"{name} '{text[:60]}' is not what the message says; use its own words")
                    if EMAIL_RE.search(text) or _PLACEHOLDER_RE.search(text):
                        raise ValueError(f"{name} must not contain contact details")
                    if name in ("job_title", "other_titles") and not _title_like(text):
                        raise ValueError(f"{name} '{text[:60]}' is a sentence, not a job title; give the title "
                                         "alone, or nothing")
            return self

    GroundedItems.__name__ = "ExtractedItems"
    return GroundedItems


# what `redact` puts in place of a contact detail: "[removed]", "[name removed]", "[e-mail removed]", ...
_PLACEHOLDER_RE = re.compile(r"\[(?:[\w\-]+ )?removed\]")
# a job title is a few words that say no sentence: not "Hi, . I bake bread and pastries" (a small model's answer);
# "Accountant I" and "Sr. Software Engineer" are titles
_SENTENCE_IN_TITLE = re.compile(r"\bI(?:'m|'ve|\s+[a-z])|\b(?i:me|my|we|our)\b|\b[a-z]{3,}[.!?;:]\s|\s[.,!?;:]|^\W")
TITLE_MAX_WORDS = 8


def _title_like(text: str) -> bool:
    return len(text.split()) <= TITLE_MAX_WORDS and not _SENTENCE_IN_TITLE.search(text)


def _stem(word: str) -> str:
    """Plural and singular alike ("breads" is what "bread" says)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def extract_part_a(llm: LLM, text: str, asked_item: str | None = None, *,
                   contact: Contact | None = None) -> dict[str, Any] | None:
    """Part A job items found in `text` (a dict of PartA fields, possibly empty), or None to extract offline.

    `asked_item` names the Part A item the customer was just asked about. An answer to a contact question
    (`CONTACT_ITEMS`) is never sent: contact details are read offline. `contact` is what is already known,
    so that it can be taken out of the text before it leaves.
    """
    if asked_item is not None and asked_item.split(".")[0] in CONTACT_ITEMS:
        return None
    clean = redact(text, contact)
    if not clean.strip():
        return {}
    asked = f"The customer was just asked about: {asked_item.replace('_', ' ')}.\n" if asked_item else ""
    messages = _messages("extract_part_a", asked=asked, message=prompts.fence(clean))
    try:
        return llm.generate(messages, _grounded_extraction(clean)).part_a_items()
    except (LLMError, ValidationError) as exc:
        return _fallback("extraction", exc)


# --- phrasing a clarifying question -------------------------------------------------------------

def _candidate_lines(candidates: Sequence[Candidate], evidence: bool) -> str:
    lines = []
    for c in candidates:
        line = f"- {c.code} {c.title}"
        if evidence and c.evidence:
            line += "\n  matched: " + " | ".join(m.text[:160] for m in c.evidence[:_EVIDENCE_SHOWN])
        lines.append(line)
    return "\n".join(lines) or "(none yet)"


def _codes_outside(text: str, allowed: Iterable[str]) -> list[str]:
    allowed_set = set(allowed) | {code.split(".")[0] for code in allowed}
    return [code for code in CODE_RE.findall(text) if code not in allowed_set]


def phrase_question(llm: LLM, offline_question: str, candidates: Sequence[Candidate],
                    part_a: PartA | None = None) -> str | None:
    """`offline_question` reworded for the chat, or None to ask it as it is."""
    class PhrasedQuestion(BaseModel):
        question: str = Field(min_length=5, max_length=MAX_QUESTION_CHARS)

        @field_validator("question")
        @classmethod
        def _one_question(cls, value: str) -> str:
            value = value.strip()
            if not value.rstrip("\"'” ").endswith("?"):
                raise ValueError("the question must end with a question mark")
            if value.count("?") > 2:
                raise ValueError("ask one question only")
            if CODE_RE.search(value):
                raise ValueError("do not mention occupation codes")
            return value

    job = job_for_llm(part_a) if part_a is not None else prompts.fence("(nothing yet)")
    messages = _messages("phrase_question", question=offline_question,
                         candidates=_candidate_lines(candidates, evidence=False), job=job)
    try:
        return llm.generate(messages, PhrasedQuestion).question
    except (LLMError, ValidationError) as exc:
        return _fallback("question phrasing", exc)


# --- reranking the retrieved candidates ---------------------------------------------------------

def _ranking_type(allowed: list[str]) -> type[BaseModel]:
    by_soc: dict[str, list[str]] = {}
    for code in allowed:
        by_soc.setdefault(code.split(".")[0], []).append(code)

    class Ranking(BaseModel):
        codes: list[str] = Field(min_length=1, json_schema_extra={"items": {"type": "string", "enum": allowed}})
        reason: str = ""

        @field_validator("codes", mode="before")
        @classmethod
        def _expand_soc(cls, codes: Any) -> Any:
            # "29-1141" names "29-1141.00" when the candidates hold only that one occupation of the SOC code.
            if not isinstance(codes, list):
                return codes
            return [by_soc[c][0] if isinstance(c, str) and len(by_soc.get(c, [])) == 1 else c for c in codes]

        @field_validator("codes")
        @classmethod
        def _only_candidates(cls, codes: list[str]) -> list[str]:
            outside = [c for c in codes if c not in allowed]
            if outside:
                raise ValueError(
                    f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not among the candidates; "
                    f"use only these codes: {', '.join(allowed)}"
                )
            if len(set(codes)) != len(codes):
                raise ValueError("list each code once")
            return codes

    return Ranking


def rerank(llm: LLM, part_a: PartA, candidates: Sequence[Candidate]) -> list[str] | None:
    """The candidates' codes, best first, as the model orders them (a subset), or None to keep the engine's order."""
    allowed = [c.code for c in candidates]
    if len(allowed) < 2:
        return None
    messages = _messages("rerank", job=job_for_llm(part_a), candidates=_candidate_lines(candidates, evidence=True))
    try:
        return list(llm.generate(messages, _ranking_type(allowed)).codes)  # type: ignore[attr-defined]
    except (LLMError, ValidationError) as exc:
        return _fallback("reranking", exc)


def apply_order(candidates: Sequence[Candidate], codes: Sequence[str]) -> list[Candidate]:
    """`candidates` with `codes` first in that order, the rest after in their old order, ranks renumbered."""
    by_code = {c.code: c for c in candidates}
    ordered = [by_code[c] for c in codes if c in by_code]
    ordered += [c for c in candidates if c.code not in set(codes)]
    return [c.model_copy(update={"rank": i}) for i, c in enumerate(ordered, start=1)]


# --- the streamed chat reply --------------------------------------------------------------------

def stream_reply(llm: LLM, offline_reply: str, part_a: PartA, candidates: Sequence[Candidate]) -> Iterator[str]:
    """The offline reply reworded by the model, as text chunks for the chat as they arrive.

    Raises `LLMError` (its `.notice()` is the sentence to show) if the stream breaks off or the finished
    reply is unusable, such as naming a code that was not retrieved; the caller then shows `offline_reply`.
    """
    # The offline reply repeats what the customer said ("Noted: e-mail: ..."): redacted and fenced like the rest.
    messages = _messages("chat_reply", reply=prompts.fence(redact(offline_reply, part_a.contact)),
                         job=job_for_llm(part_a))
    allowed = [c.code for c in candidates] + CODE_RE.findall(offline_reply)
    text: list[str] = []
    for chunk in llm.stream(messages):
        text.append(chunk)
        yield chunk
    reply = "".join(text)
    problem = None
    if not reply.strip():
        problem = "the reply was empty"
    elif len(reply) > MAX_REPLY_CHARS:
        problem = "the reply was too long"
    elif outside := _codes_outside(reply, allowed):
        problem = f"the reply named codes that were not retrieved ({', '.join(outside)})"
    elif prompts.repeats_instructions(reply):
        problem = "the reply repeated the assistant's instructions"
    elif offline_reply.rstrip().endswith("?") and "?" not in reply:
        problem = "the reply dropped the question the customer has to answer"
    if problem:
        raise LLMError(problem, kind="invalid", partial=reply)
