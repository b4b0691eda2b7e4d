"""Clarifying questions built from O*NET: when the top candidates are close, ask what best separates them.

Each kind of question splits the candidates into groups by a feature of their O*NET profiles:
supervisor or manager against worker, job zone (the education and training the job needs), a licence
in the title (registered nurse against licensed practical nurse), duties or tools found in one
candidate's profile and not in the others' (of those, the one most typical of it: close to its own title and
description, a core task, held by few occupations). The question chosen is the one whose answer is expected
to settle the most: the entropy of the candidates' probability mass over its groups, so a question that
splits 50/50 beats one that splits 90/10 and a question all candidates answer alike is never asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.parta import PartA
from assistant.rerank import ProfileIndex, is_supervisory
from retrieval.onet import KnowledgeBase

QuestionKind = Literal["supervision", "licence", "education", "duties", "tools", "industry"]
# Which Part A item an answer to each kind fills.
ITEM_OF: dict[str, str] = {
    "supervision": "supervision_given", "licence": "licenses", "education": "education", "duties": "duties",
    "tools": "tools", "industry": "industry",
}
# Among questions that split about as well, the easier one to answer goes first.
PREFERENCE: tuple[QuestionKind, ...] = ("supervision", "licence", "education", "duties", "tools", "industry")
NEAR_TIE = 0.9  # a question within 10% of the best split counts as splitting as well
CANDIDATES_WEIGHED = 5
# The top candidate's share of the top five's mass above which nothing needs asking: as sure as the answers
# the evaluation suite would auto-code (90% precision). Below it, one answer in ten or more would be wrong
# without the question.
DECIDED = 0.9
MIN_GAIN = 0.2  # bits
OPTIONS = 3
CORE_BONUS = 0.1  # a core task over a supplemental one or a work activity, other things equal
SPREAD_COST = 0.05  # per doubling of the occupations that hold a statement
SHARED = 0.5  # a statement this close (TF-IDF cosine) to one of another candidate's also describes that one
# A statement this close to work the customer said the job does not include is that work: "take x-rays" and
# "Expose dental diagnostic x-rays." 0.54, "do payroll" and "Prepare payroll." 0.85, "count the cash drawer" and
# "Count money in cash drawers at the beginning of shifts ..." 0.30; "use any tools" and "Set up, operate, or tend
# grinding and related tools" 0.21 (also left out, for one who said so).
DENIED_NEAR = 0.2
_NOT_THE_WORK = re.compile(r"\b(?:myself|ourselves|anymore|either|any more|at all)\b", re.IGNORECASE)
ZONE_WORDS = {
    1: "little or no preparation (a few days' training on the job)",
    2: "a high-school diploma",
    3: "vocational training, an apprenticeship or an associate degree",
    4: "a bachelor's degree",
    5: "a graduate degree (master's, doctorate, medical or law degree)",
}
LICENCE_WORDS = ("licensed", "registered", "certified")


class Question(BaseModel):
    """A clarifying question, with the candidates it was chosen to separate (JSON-serialisable)."""

    kind: QuestionKind
    text: str
    options: list[str] = Field(default_factory=list, description="statements offered (duties, tools)")
    codes: list[str] = Field(default_factory=list, description="candidates it separates")
    gain: float = 0.0

    @property
    def item(self) -> str:
        return ITEM_OF[self.kind]


@dataclass(frozen=True)
class Weighed:
    code: str
    title: str
    p: float


def needs_question(weighed: Sequence[Weighed]) -> bool:
    """Whether the top candidates are close enough that a question is worth the customer's time."""
    top = list(weighed)[:CANDIDATES_WEIGHED]
    total = sum(c.p for c in top)
    return len(top) > 1 and (total <= 0 or top[0].p / total < DECIDED)


def choose_question(weighed: Sequence[Weighed], kb: KnowledgeBase, part_a: PartA, asked: Sequence[str],
                    index: ProfileIndex, said: str = "", denied: Sequence[str] = ()) -> Question | None:
    """The question that best separates the top candidates, or None when none separates them.

    `asked` holds the kinds asked before and the statements already offered; `said` is what the customer
    has told us, so that a duty they already described is not offered back to them; `denied` the work they
    said the job does not include ("take x-rays"), which is not offered to them either.
    """
    top = [c for c in weighed[:CANDIDATES_WEIGHED] if c.code in kb.occupations]
    if len(top) < 2:
        return None
    mass = np.array([max(c.p, 1e-6) for c in top])
    mass /= mass.sum()
    found: list[Question] = []
    if "supervision" not in asked and not part_a.supervision_given:
        found += _grouped("supervision", top, mass, lambda c: is_supervisory(kb.occupations[c.code]),
                          "Do you supervise other workers? If so, whom and how many?")
    if "licence" not in asked and not part_a.licenses:
        found += _grouped("licence", top, mass, lambda c: _licence(kb.occupations[c.code].title),
                          "Does the job require a licence or certification? If so, which one?")
    if "education" not in asked and not part_a.education:
        zones = {c.code: kb.occupations[c.code].job_zone for c in top}
        offered = sorted({z for z in zones.values() if z is not None})
        wording = ", ".join(ZONE_WORDS[z] for z in offered if z in ZONE_WORDS)
        found += _grouped("education", top, mass, lambda c: zones[c.code],
                          f"What education or training does the job need? For example: {wording}.")
    for kind in ("duties", "tools"):
        if asked.count(kind) < 2:
            found += _statement_question(kind, top, mass, index, asked, said, denied)
    if not found:
        return None
    best = max(q.gain for q in found)
    if best < MIN_GAIN:
        return None
    close = [q for q in found if q.gain >= NEAR_TIE * best]
    return min(close, key=lambda q: PREFERENCE.index(q.kind))


def entropy(masses: Sequence[float]) -> float:
    total = sum(masses)
    return -sum(m / total * math.log2(m / total) for m in masses if m > 0) if total > 0 else 0.0


def _grouped(kind: QuestionKind, top: Sequence[Weighed], mass: np.ndarray, feature, text: str) -> list[Question]:
    groups: dict[object, float] = {}
    for c, m in zip(top, mass, strict=True):
        value = feature(c)
        if value is None:
            continue  # unknown for this candidate: the answer says nothing about it
        groups[value] = groups.get(value, 0.0) + m
    if len(groups) < 2:
        return []
    return [Question(kind=kind, text=text, codes=[c.code for c in top], gain=round(entropy(list(groups.values())), 4))]


def _licence(title: str) -> str:
    words = [w for w in LICENCE_WORDS if w in title.lower()]
    return " ".join(words) or "none"


def _statement_question(kind: Literal["duties", "tools"], top: Sequence[Weighed], mass: np.ndarray,
                        index: ProfileIndex, asked: Sequence[str], said: str,
                        denied: Sequence[str] = ()) -> list[Question]:
    """Offer one statement (a task, a DWA, a tool) from each of the leading candidates that the others lack."""
    table = index.duty_rows if kind == "duties" else index.tool_rows
    rows = {c.code: table.get(c.code, np.zeros(0, np.int64)) for c in top}
    said_vec = index.vectorizer.transform([said]) if said.strip() else None
    denied_vec = index.vectorizer.transform([_NOT_THE_WORK.sub(" ", d) for d in denied]) if denied else None
    options: list[str] = []
    groups: list[float] = []
    covered: set[str] = set()
    for c in top:
        if len(options) >= OPTIONS or c.code in covered or not len(rows[c.code]):
            continue
        own = index.matrix[rows[c.code]]
        others = np.concatenate([rows[o.code] for o in top if o.code != c.code]) if len(top) > 1 else None
        overlap = (own @ index.matrix[others].T).max(axis=1).toarray().ravel() if others is not None and len(
            others) else np.zeros(own.shape[0])
        already = (own @ said_vec.T).toarray().ravel() if said_vec is not None else np.zeros(own.shape[0])
        texts = [index.texts[r] for r in rows[c.code]]
        # distinct from the other candidates, not already said, informative (has words the index knows), not
        # offered before; among those, the most typical of this candidate
        informative = np.asarray(own.getnnz(axis=1)) >= (3 if kind == "duties" else 1)
        distinct = -overlap - already
        eligible = (distinct >= -SHARED) & informative & np.array([t not in asked for t in texts], dtype=bool)
        if denied_vec is not None:  # "I don't take x-rays": not "Expose dental diagnostic x-rays." again
            eligible &= (own @ denied_vec.T).max(axis=1).toarray().ravel() < DENIED_NEAR
        if not eligible.any():
            continue
        score = np.where(eligible, distinct + _typical(index, c.code, rows[c.code], own, texts, kind), -np.inf)
        best = int(np.argmax(score))
        statement = texts[best]
        # every candidate whose profile also holds something this close answers "yes" alike
        sharing = [o for o in top if o.code == c.code or _closest(index, rows[o.code], own[best]) >= SHARED]
        covered.update(o.code for o in sharing)
        options.append(statement)
        groups.append(sum(m for o, m in zip(top, mass, strict=True) if o in sharing))
    if len(options) < 2:
        return []
    rest = max(0.0, 1.0 - sum(groups))
    gain = entropy(groups + [rest])
    if kind == "duties":
        listed = "\n".join(f"{i}. {text}" for i, text in enumerate(options, start=1))
        text = f"Which of these is closest to your work (or describe it in your own words)?\n{listed}"
    else:
        text = f"Do you use any of these: {', '.join(options)}? Which tools, equipment or software do you use?"
    return [Question(kind=kind, text=text, options=options, codes=[c.code for c in top], gain=round(gain, 4))]


def _typical(index: ProfileIndex, code: str, rows: np.ndarray, own, texts: Sequence[str],
             kind: str = "duties") -> np.ndarray:
    """How typical of an occupation each of its statements is: close to its own title and description, a task
    O*NET rates core, held by few occupations ("Exchange information with colleagues", a work activity of
    many, says little about any one of them). A tool also counts as typical when the occupation's own tasks
    name it: "Forklifts" for a stock clerk whose tasks say so, rather than a rare commodity name ("Double
    deckers") that no customer would recognise."""
    summary = index.summaries.get(code)
    near = (own @ summary.T).toarray().ravel() if summary is not None else np.zeros(len(rows))
    if kind == "tools" and (work := index.work.get(code)) is not None:
        near = near + (own @ work.T).toarray().ravel()
    core = np.array([t in index.core for t in texts], dtype=np.float64)
    return near + CORE_BONUS * core - SPREAD_COST * np.log2(np.maximum(index.spread[rows], 1))


def _closest(index: ProfileIndex, rows: np.ndarray, vector) -> float:
    if not len(rows):
        return 0.0
    return float((index.matrix[rows] @ vector.T).max())
