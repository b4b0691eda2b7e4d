"""The conversation engine: collect OCA Part A one question at a time, re-ranking the occupations after every answer.

`turn()` takes the conversation so far and the customer's message and returns the reply, the updated
conversation and the current candidates with their evidence. The state is a plain pydantic model that
round-trips through JSON, so a front end or the store can keep it between requests.

What to ask next: nothing about the job yet -> the title and duties; top candidates close -> the
clarifying question that best separates them (`clarify`), at most `MAX_CLARIFYING` of them; otherwise the
next Part A item still missing. Part A is complete enough to draft once it has a title, duties and an
industry and no clarifying question is outstanding. Offline and deterministic; with a language model
(`llm`), it also reads the message and orders the retrieved candidates, always within what retrieval found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant import intake, llm_tasks
from assistant.clarify import Question, Weighed, choose_question, needs_question
from assistant.parta import Duty, Industry, PartA
from assistant.rerank import RANKED, profile_index, rank_part_a
from retrieval.models import Candidate
from retrieval.normalize import title_tokens

MAX_CLARIFYING = 3
SHOWN = 3  # candidates named in the reply
TITLE_OUT_OF_TURN_WORDS = 5  # a job title said unasked is a few words ("cabinet maker")
GREETING = ("Hello! I will help you find the O*NET occupation for a job. What is the job title, "
            "and what does the worker do day to day?")
ESSENTIAL = ("job_title", "duties", "industry")
OPTIONAL = ("supervision_given", "education", "tools", "contact")
ITEM_QUESTIONS = {
    "job_title": "What is the job title?",
    "duties": "What are the main duties? A few sentences about what the worker does are enough.",
    "industry": "What does the employer make or do (the industry)?",
    "supervision_given": "Does the worker supervise anyone? If so, whom and how many?",
    "education": "What education or training does the job need?",
    "tools": "Which tools, equipment or software does the worker use?",
    "contact": "Last, an e-mail address or phone number where we can reach you about the result?",
}
ITEM_NAMES = {
    "job_title": "job title", "industry": "industry", "duties": "duties", "tools": "tools",
    "education": "education", "licenses": "licences", "supervision_given": "supervises",
    "supervision_received": "reports to", "experience": "experience", "work_setting": "work setting",
    "contact": "contact",
}
# The Part A items one text each, merged, shown and taken from an LLM's answer alike.
TEXT_ITEMS = ("education", "supervision_given", "supervision_received", "experience", "work_setting")
_OPTION_REF = re.compile(
    r"^\s*(?:option|number|no\.?(?=\s*[1-9])|#)?\s*"
    r"(?P<n>[1-9]|first|second|third|one|two|three|[abc](?=[).]|\s*$))\b[).]?",
    re.IGNORECASE)
# A grade said on its own ("journeyman", "senior"): of the title already given
_GRADE = re.compile(r"(?:journeyman|journeyperson|apprentice|master|senior|junior|lead|head|chief|trainee|"
                    r"assistant|associate|principal|staff)", re.IGNORECASE)
_ORDINALS = {"first": 1, "one": 1, "a": 1, "second": 2, "two": 2, "b": 2, "third": 3, "three": 3, "c": 3}
_REF = r"(?:[1-9]|first|second|third|[abc](?![\w']))"
_ONE_REF = re.compile(rf"(?<![\w'])(?P<n>{_REF})(?![\w'])", re.IGNORECASE)
# two or more references and nothing else: "1 and 3", "both 1 and 2", "options 1, 3", "the first and third ones"
_SEVERAL_OPTIONS = re.compile(
    rf"^\W*(?:both\s+)?(?:the\s+)?(?:options?\s+|numbers?\s+|#)?{_REF}(?:\s+one)?(?:\s*(?:,|and|&|\+|/)\s*"
    rf"(?:the\s+)?(?:options?\s+|numbers?\s+|#)?{_REF}(?:\s+one)?)+(?:\s+ones?)?\W*$", re.IGNORECASE)
_ALL_OPTIONS = re.compile(r"^\W*(?:all|all (?:of )?(?:them|these|those|three|the above)|every one|each of them)\W*$",
                          re.IGNORECASE)
_BOTH = re.compile(r"^\W*both(?: of (?:them|these|those))?\W*$", re.IGNORECASE)


class Shown(BaseModel):
    code: str
    title: str
    confidence: float


class Answer(BaseModel):
    """A clarifying question and what the customer answered (option references resolved to the statement)."""

    question: Question
    text: str
    duties: list[str] = Field(default_factory=list, description="the duty statements the answer added to Part A")
    tools: list[str] = Field(default_factory=list, description="the tools the answer added to Part A")


class Conversation(BaseModel):
    part_a: PartA = Field(default_factory=PartA)
    messages: list[dict[str, str]] = Field(default_factory=list)
    asked: list[str] = Field(default_factory=list, description="items and question kinds asked, statements offered")
    denied: list[str] = Field(default_factory=list, description="work the customer said the job does not include")
    pending_item: str | None = None
    question: str | None = Field(None, description="the question the last reply asked, as the offline path worded it")
    pending_question: Question | None = None
    answers: list[Answer] = Field(default_factory=list)
    candidates: list[Shown] = Field(default_factory=list)
    complete: bool = False


class TurnResult(BaseModel):
    reply: str
    conversation: Conversation
    candidates: list[Candidate]
    complete: bool
    understood: list[str] = Field(default_factory=list, description="Part A as understood so far, one line an item")
    changes: list[str] = Field(default_factory=list, description="what this message added or corrected")
    problems: list[str] = Field(default_factory=list)
    notice: str | None = Field(None, description="one plain sentence when the language model failed and the offline path answered")


def start() -> Conversation:
    """A new conversation that opens with the greeting."""
    return Conversation(messages=[{"role": "assistant", "content": GREETING}], pending_item="job_title")


def turn(conversation: Conversation, user_text: str, engine: Any, llm: Any = None, *, phrase: bool = False) -> TurnResult:
    """One exchange: read the message into Part A, re-rank, and ask the next thing (see the module docstring).

    With `llm`, the model also reads the message (filling what the offline reading missed) and orders the
    retrieved candidates; with `phrase` it rewords the next question (the chat page instead streams a
    reworded reply). Each step that fails falls back to the offline path and sets `TurnResult.notice`."""
    conv = conversation.model_copy(deep=True)
    text = intake.squeeze(user_text or "")
    if not text:
        reply = "I did not get any text. " + (conv.pending_question.text if conv.pending_question else
                                               ITEM_QUESTIONS.get(conv.pending_item or "job_title", GREETING))
        return TurnResult(reply=reply, conversation=conv, candidates=rank(conv, engine), complete=conv.complete,
                          understood=understood(conv.part_a))
    conv.messages.append({"role": "user", "content": text})
    question = conv.pending_question
    asked_item = question.item if question else conv.pending_item
    kb = getattr(engine, "kb", None)
    profile = profile_index(kb) if kb is not None else None
    extraction = intake.extract(text, asked_item, profile.verbs if profile else frozenset(),
                                profile.products if profile else frozenset())
    failures: list[str] = []
    if llm is not None and extraction.answer != "skip":
        with llm_tasks.collect_failures() as failures:
            # the name and organization this message gives are kept from the model as well as those known
            known = conv.part_a.contact.model_copy(update={field: value for field in ("name", "organization")
                                                           if (value := getattr(extraction, field))})
            _fill_from_llm(extraction, llm_tasks.extract_part_a(llm, text, asked_item, contact=known))
    chosen = _chosen_options(text, question) if question is not None else []
    answered = "; ".join(chosen) or text
    if question is not None and chosen:  # "2", "1 and 3", "all of them": the statements or tools offered
        # the reference says nothing else ("the first one" names no business)
        kind = question.kind
        extraction = intake.Extraction(correction=extraction.correction, duties=chosen if kind == "duties" else [],
                                       tools=chosen if kind == "tools" else [])
    elif title := (_title_out_of_turn(conv.part_a, extraction, asked_item, text, engine)
                   or _title_meant(conv.part_a, extraction, text)):
        extraction.job_title = title
        extraction.duties = [d for d in extraction.duties if d != text]
    else:
        _read_managed(conv.part_a, extraction, asked_item, text, engine)
    before = conv.part_a
    part_a, changes, problems = apply(conv.part_a, extraction)
    conv.denied += [d for d in extraction.denied if d not in conv.denied]
    conv.part_a = part_a
    if question is not None:
        conv.answers.append(Answer(
            question=question, text=answered if extraction.answer != "skip" else "",
            duties=[d.text for d in part_a.duties if d not in before.duties],
            tools=[t for t in part_a.tools if t not in before.tools],
        ))
    conv.pending_question, conv.pending_item = None, None

    candidates = rank(conv, engine)
    if llm is not None and not failures and len(candidates) > 1:  # after one failure, the turn goes on offline
        with llm_tasks.collect_failures() as failed:
            codes = llm_tasks.rerank(llm, conv.part_a, candidates[:RANKED])
        failures += failed
        if codes:  # the model may only order what retrieval found: apply_order drops anything else
            candidates = llm_tasks.apply_order(candidates[:RANKED], codes) + candidates[RANKED:]
    conv.candidates = [Shown(code=c.code, title=c.title, confidence=c.confidence) for c in candidates]
    ask = conv.question = _next_question(conv, candidates, engine)
    if llm is not None and phrase and not failures and ask and not (
            conv.pending_question and conv.pending_question.options):
        with llm_tasks.collect_failures() as failed:
            ask = llm_tasks.phrase_question(llm, ask, candidates[:RANKED], conv.part_a) or ask
        failures += failed
    conv.complete = all(_has(conv.part_a, item) for item in ESSENTIAL) and conv.pending_question is None
    reply = compose_reply(changes, problems, candidates, ask, conv.complete)
    conv.messages.append({"role": "assistant", "content": reply})
    return TurnResult(reply=reply, conversation=conv, candidates=candidates[:RANKED], complete=conv.complete,
                      understood=understood(conv.part_a), changes=changes, problems=problems,
                      notice=failures[0] if failures else None)


def _fill_from_llm(found: intake.Extraction, items: dict[str, Any] | None) -> None:
    """Fill what the offline reading of the message missed with what the model read (`llm_tasks.extract_part_a`).

    The offline reading wins where both found an item; the model only adds. Contact items never come from it."""
    if not items:
        return
    if not found.job_title and isinstance(items.get("job_title"), str):
        found.job_title = items["job_title"]
    industries = [i.get("name") for i in items.get("industries") or [] if isinstance(i, dict) and i.get("name")]
    if not found.industry and industries:
        found.industry = industries[0]
    if not found.duties:
        found.duties = [d["text"] for d in items.get("duties") or [] if isinstance(d, dict) and d.get("text")]
    for field in ("tools", "licenses"):
        extra = [v for v in items.get(field) or [] if isinstance(v, str) and v not in getattr(found, field)]
        setattr(found, field, getattr(found, field) + extra)
    for field in TEXT_ITEMS:
        if not getattr(found, field) and isinstance(items.get(field), str):
            setattr(found, field, items[field])


def rank(conv: Conversation, engine: Any) -> list[Candidate]:
    """The engine's ranking for Part A so far, re-weighted by what the answers say about each candidate."""
    result = rank_part_a(conv.part_a, engine, RANKED)
    return list(result.candidates) if result is not None else []


def apply(part_a: PartA, found: intake.Extraction) -> tuple[PartA, list[str], list[str]]:
    """Part A with the message's items merged in; what changed and what could not be used, in plain words."""
    data = part_a.model_dump()
    changes: list[str] = []
    problems = list(found.problems)

    def put(field: str, value: Any, label: str) -> None:
        nonlocal data
        candidate = {**data, field: value}
        try:
            PartA.model_validate(candidate)
        except ValidationError as exc:
            problems.append(f"{label}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}")
            return
        data = candidate

    if found.job_title and part_a.job_title and _GRADE.fullmatch(found.job_title) and \
            found.job_title.lower() not in part_a.job_title.lower().split():
        # "I'm a journeyman" after "plumber": the plumber's grade, not another job
        found = found.model_copy(update={"job_title": f"{found.job_title} {part_a.job_title}"})
    if found.job_title and found.job_title != part_a.job_title:
        before = part_a.job_title
        put("job_title", found.job_title, "job title")
        changes.append(f"job title changed from '{before}' to '{found.job_title}'" if before
                       else f"job title: {found.job_title}")
    if found.industry:
        names = [i["name"] for i in data["industries"]]
        if found.correction and names:
            put("industries", [Industry(name=found.industry).model_dump()] + data["industries"][1:], "industry")
            changes.append(f"industry changed from '{names[0]}' to '{found.industry}'")
        elif found.industry not in names:
            put("industries", data["industries"] + [Industry(name=found.industry).model_dump()], "industry")
            changes.append(f"industry: {found.industry}")
    if found.denied:  # "I don't take x-rays": out of the duties said before, and of what the model read now
        kept = []
        for duty in data["duties"]:
            rest = intake.take_back(duty["text"], found.denied)
            if rest is not None:
                kept.append({**duty, "text": rest})
        if kept != data["duties"]:
            said = [d for d in found.denied
                    if any(intake.take_back(x["text"], [d]) != x["text"] for x in data["duties"])]
            put("duties", kept, "duties")
            changes.append("taken out of the duties: " + "; ".join(said))
        found.duties = [rest for d in found.duties if (rest := intake.take_back(d, found.denied)) is not None]
    new_duties = [d for d in found.duties if d not in {x["text"] for x in data["duties"]}]
    if new_duties:
        put("duties", data["duties"] + [Duty(text=d[:2000]).model_dump() for d in new_duties], "duties")
        changes.append(f"{len(new_duties)} duty statement{'s' if len(new_duties) > 1 else ''} added")
    for field, label in (("tools", "tools"), ("licenses", "licences")):
        added = [v for v in getattr(found, field) if v not in data[field]]
        if added:
            put(field, data[field] + added, label)
            changes.append(f"{label}: {', '.join(added)}")
    for field in TEXT_ITEMS:
        value = getattr(found, field)
        if value and value != data[field]:
            before = data[field]
            put(field, value, ITEM_NAMES[field])
            changes.append(f"{ITEM_NAMES[field]} changed from '{before}' to '{value}'" if before
                           else f"{ITEM_NAMES[field]}: {value}")
    contact = dict(data["contact"])
    for field in ("name", "organization", "email", "phone"):
        value = getattr(found, field)
        if value and value != contact.get(field):
            contact[field] = value
            changes.append(f"{field}: {value}")
    if contact != data["contact"]:
        put("contact", contact, "contact")
    return PartA.model_validate(data), changes, problems


def understood(part_a: PartA) -> list[str]:
    """Part A as the assistant understands it, for the customer to check."""
    lines = []
    if part_a.job_title:
        lines.append(f"Job title: {part_a.job_title}")
    if part_a.industries:
        lines.append(f"Industry: {part_a.industry_text()}")
    for duty in part_a.duties:
        lines.append(f"Duty: {duty.text}")
    for field in ("tools", "licenses"):
        if getattr(part_a, field):
            lines.append(f"{ITEM_NAMES[field].capitalize()}: {', '.join(getattr(part_a, field))}")
    for field in TEXT_ITEMS:
        if getattr(part_a, field):
            lines.append(f"{ITEM_NAMES[field].capitalize()}: {getattr(part_a, field)}")
    contact = [v for v in (part_a.contact.name, part_a.contact.organization, part_a.contact.email,
                           part_a.contact.phone) if v]
    if contact:
        lines.append(f"Contact: {', '.join(contact)}")
    return lines


def compose_reply(changes: Sequence[str], problems: Sequence[str], candidates: Sequence[Candidate],
                  ask: str | None, complete: bool) -> str:
    parts = []
    if changes:
        parts.append("Noted: " + "; ".join(changes) + ".")
    for problem in problems:
        parts.append(f"I could not use this: {problem}. The rest is kept.")
    if candidates:
        lines = [f"{c.rank}. {c.title} ({c.code}), {c.confidence:.0%}{_why(c)}" for c in candidates[:SHOWN]]
        parts.append("Closest occupations so far:\n" + "\n".join(lines))
    if complete:
        parts.append("I have enough to draft the coding (Part B)." + (" You can also tell me more:" if ask else ""))
    if ask:
        parts.append(ask)
    return "\n\n".join(parts)


def _why(candidate: Candidate) -> str:
    best = max(candidate.evidence, key=lambda m: m.score, default=None)
    if best is None or not best.text:
        return ""
    text = best.text if len(best.text) <= 90 else best.text[:89] + "…"
    return f" (matched {best.kind.replace('_', ' ')}: \"{text}\")"


def _next_question(conv: Conversation, candidates: Sequence[Candidate], engine: Any) -> str | None:
    part_a = conv.part_a
    if not part_a.job_title and not part_a.duties and not part_a.summary:
        conv.pending_item = "job_title"
        return ITEM_QUESTIONS["job_title"] + " " + ITEM_QUESTIONS["duties"]
    weighed = [Weighed(c.code, c.title, c.confidence) for c in candidates]
    clarifying = sum(1 for a in conv.asked if a.startswith("question:"))
    if weighed and clarifying < MAX_CLARIFYING and needs_question(weighed):
        said = " ".join(filter(None, [part_a.job_title or "", part_a.job_text()]))
        asked = [a.removeprefix("question:") for a in conv.asked]
        question = choose_question(weighed, engine.kb, part_a, asked, profile_index(engine.kb), said, conv.denied)
        if question is not None:
            conv.pending_question = question
            conv.asked.append(f"question:{question.kind}")
            conv.asked += question.options
            return question.text
    for item in ESSENTIAL + OPTIONAL:
        if not _has(part_a, item) and item not in conv.asked:
            conv.pending_item = item
            conv.asked.append(item)
            return ITEM_QUESTIONS[item]
    return None


def _has(part_a: PartA, item: str) -> bool:
    if item == "industry":
        return bool(part_a.industries)
    if item == "contact":
        return bool(part_a.contact.email or part_a.contact.phone)
    if item == "duties":
        return bool(part_a.duties or part_a.summary)
    return bool(getattr(part_a, item))


def _title_out_of_turn(part_a: PartA, found: intake.Extraction, asked: str | None, text: str,
                       engine: Any) -> str | None:
    """A bare job title said while the duties were asked about ("Mechanic", "cabinet maker" in answer to "Which of
    these is closest to your work?"): the title, when Part A has none yet, the message states nothing else and
    O*NET knows the phrase as a title (`Engine.is_known_title`). Answers to the tools, industry, education,
    licence or supervision questions keep their own reading: "cooks" is whom someone supervises."""
    if part_a.job_title or found.job_title or asked not in (None, "duties") or found.answer:
        return None
    bare = text.strip(" .!")
    if intake.stated_other(found, "duties") or len(bare.split()) > TITLE_OUT_OF_TURN_WORDS:
        return None
    known = getattr(engine, "is_known_title", None)
    return bare if known is not None and known(bare) else None


# "I manage a restaurant", "I run the bakery", "I'm managing a car wash": the business a manager runs
_MANAGED = re.compile(r"^\W*I(?:'m| am)?\s+(?:(?:also|now|currently|basically)\s+)?"
                      r"(?P<verb>manage|run|managing|running)\s+(?:an?|the|our|my|this|one)\s+"
                      r"(?:(?:small|little|local|family|busy|big|large|new)\s+)?"
                      r"(?P<v>[A-Za-z][\w'&\-]*(?:\s+[A-Za-z][\w'&\-]*){0,2})\s*[.!]?\s*$", re.IGNORECASE)
# what someone manages that is a group of people, not a business: their supervision, as the intake reads it
_PEOPLE = frozenset("team teams crew crews staff people employees workers group of".split())


def _read_managed(part_a: PartA, found: intake.Extraction, asked: str | None, text: str, engine: Any) -> None:
    """The business a manager says they run, when the message says only that and Part A has no title yet: "I manage
    a restaurant" is a restaurant manager, when O*NET knows that title, and no supervision ("I manage a team" stays
    one; "I run a press" is work, O*NET having no "press manager"; a business O*NET does not name, "a McDonald's",
    is left as it was read). A business named before its kind ("a Starbucks store", "a Holiday Inn hotel": capitals
    leading) is a manager of that kind of business, and the named business is the industry."""
    m = _MANAGED.match(text)
    if m is None or part_a.job_title or asked not in (None, "job_title", "duties"):
        return
    if found.job_title and not found.job_title.lower().startswith(m.group("verb").lower()):
        return  # "I'm managing a car wash" had been read as the title "managing a car wash"
    known = getattr(engine, "is_known_title", None)
    business = m.group("v")
    if known is None or set(business.lower().split()) & _PEOPLE:
        return
    kind = business
    if not known(f"{kind} manager"):
        words = business.split()
        named = 0
        while named < len(words) - 1 and words[named][:1].isupper():
            named += 1
        kind = " ".join(words[named:])
        if not named or not known(f"{kind} manager"):
            return
        found.industry = found.industry or business
    found.job_title = f"{kind} manager"
    found.supervision_given = None
    found.duties = [d for d in found.duties if d.strip(" .!") != text.strip(" .!")]


def _title_meant(part_a: PartA, found: intake.Extraction, text: str) -> str | None:
    """A correction of the title, whatever was asked: "Sorry, I meant head teller" after "teller". The phrase must
    share a word with the title given ("I meant the second one" is no title)."""
    if not part_a.job_title or found.job_title or (m := intake.MEANT.match(text)) is None:
        return None
    meant = m.group("v").strip()
    return meant if set(title_tokens(meant)) & set(title_tokens(part_a.job_title)) else None


def _chosen_options(text: str, question: Question) -> list[str]:
    """The statements offered that the answer picks: '2', 'the second one', 'b' -> option 2; '1 and 3', 'both 1 and
    2', '1, 3' -> those; 'all of them', and 'both' when two were offered -> every one. Anything else is the
    customer's own words: []."""
    options = question.options
    if not options:
        return []
    if _ALL_OPTIONS.match(text) or (len(options) == 2 and _BOTH.match(text)):
        return list(options)
    if _SEVERAL_OPTIONS.match(text):
        picked = [_option_number(m.group("n")) for m in _ONE_REF.finditer(text)]
        return [options[n - 1] for n in dict.fromkeys(picked) if 1 <= n <= len(options)]
    m = _OPTION_REF.match(re.sub(r"^\s*(?:the|option)\s+", "", text, flags=re.IGNORECASE))
    if m is None or (len(text.split()) > 4 and not text.strip()[0].isdigit()):
        return []
    n = _option_number(m.group("n"))
    return [options[n - 1]] if 1 <= n <= len(options) else []


def _option_number(key: str) -> int:
    key = key.lower()
    return int(key) if key.isdigit() else _ORDINALS.get(key, 0)
