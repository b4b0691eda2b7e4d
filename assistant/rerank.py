"""How what the customer said re-weights the engine's candidates, by its agreement with each one's O*NET profile.

The engine ranks from the words of the job (every answer about the work is part of them); some answers
carry facts that words alone rank poorly: "I supervise six cooks" should lift First-Line Supervisors over
Cooks, "I have a bachelor's degree" job zone 4 over job zone 2, "RN license" Registered Nurses over
Licensed Practical Nurses. Each agreement multiplies a candidate's odds by a fixed factor; the factors
are set by judgement (clear evidence about a fact triples the odds), not fitted to any evaluation set.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from assistant.parta import (LEARNERS_ONLY, NO_SUPERVISION, ONE_LEARNER, PROFESSIONAL_SCHOOL, TRADE_SCHOOL,
                             PartA)
from retrieval.models import Candidate, CodingResult
from retrieval.normalize import STOPWORDS, title_tokens
from retrieval.onet import KnowledgeBase, Occupation, task_verbs

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# Multipliers of a candidate's odds (see the module docstring).
SUPERVISION_FACTOR = 3.0  # a clear yes/no about supervising against supervisor vs worker occupations
ZONE_FACTOR = 2.0  # per job zone between the stated education and the occupation's typical one
LICENCE_FACTOR = 3.0  # a licence named in the occupation's title

_SUPERVISOR_TITLE = re.compile(r"\b(supervisors?|managers?|chief|directors?)\b", re.IGNORECASE)

# Job zones (O*NET): 1 little or no preparation ... 5 extensive preparation (graduate degree).
EDUCATION_ZONES: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), zone)
    for pattern, zone in (
        (r"\b(ph\.?d|doctor(ate|al)|m\.?d\.?|j\.?d\.?|master'?s|graduate (degree|school)|mba|professional degree)\b|"
         + PROFESSIONAL_SCHOOL, 5),
        (r"\b(bachelor'?s?|b\.?a\.?|b\.?s\.?c?|college degree|university degree|four[- ]year degree)\b", 4),
        (r"\b(associate'?s?( degree)?|vocational|technical (school|college)|trade school|apprenticeship|"
         r"post-?secondary|certificate program|community college)\b|" + TRADE_SCHOOL, 3),
        (r"\b(high school|diploma|ged|secondary school)\b", 2),
        (r"\b(no (formal )?(education|qualifications?|schooling)|none needed|on the job|little or no)\b", 1),
    )
)


def education_zone(text: str | None) -> int | None:
    """The O*NET job zone an education answer points to, or None when it names no level."""
    if not text:
        return None
    for pattern, zone in EDUCATION_ZONES:
        if pattern.search(text):
            return zone
    return None


def is_supervisory(occ: Occupation) -> bool:
    """Managers and first-line supervisors: the occupations whose work is directing other workers.

    In SOC major groups 33-53 (service, sales, office, construction, production, transport) minor group
    xx-1000 holds the first-line supervisors (35-1011 Chefs and Head Cooks among them); elsewhere xx-1000
    is an ordinary group (17-1000 Architects), so there only titles and major group 11 count.
    """
    soc = occ.soc_code
    in_supervisor_minor = soc[:2].isdigit() and 33 <= int(soc[:2]) <= 53 and soc[3:4] == "1"
    return soc.startswith("11-") or in_supervisor_minor or bool(_SUPERVISOR_TITLE.search(occ.title))


@dataclass
class ProfileIndex:
    """TF-IDF over every occupation's task, DWA, tool and technology statements: which of a candidate's statements
    the other candidates lack, for clarifying questions (`assistant.clarify`).

    Statements shared by many occupations (a DWA, "Microsoft Excel") are stored once.
    """

    kb: KnowledgeBase
    vectorizer: TfidfVectorizer
    matrix: sparse.csr_matrix  # one row per distinct statement
    texts: list[str]
    duty_rows: dict[str, np.ndarray]
    tool_rows: dict[str, np.ndarray]
    spread: np.ndarray  # per statement: how many occupations' profiles hold it
    summaries: dict[str, sparse.csr_matrix]  # per occupation: its title and description, one row
    core: frozenset[str]  # task statements O*NET rates core for at least one occupation
    work: dict[str, sparse.csr_matrix]  # per occupation: its tasks and DWAs together, one row
    verbs: frozenset[str] = frozenset()  # the words that lead a statement of work (`work_verbs`)
    products: frozenset[str] = frozenset()  # names of software and technology products (`product_names`)

    @classmethod
    def build(cls, kb: KnowledgeBase) -> ProfileIndex:
        row_of: dict[str, int] = {}
        duty_rows: dict[str, np.ndarray] = {}
        tool_rows: dict[str, np.ndarray] = {}

        def rows(texts: list[str]) -> np.ndarray:
            return np.array([row_of.setdefault(text, len(row_of)) for text in dict.fromkeys(texts)], dtype=np.int64)

        for code, occ in kb.occupations.items():
            duty_rows[code] = rows([t.text for t in occ.tasks] + list(occ.dwas))
            # what a customer is offered: the equipment, and of the technology the kinds of software and the
            # products O*NET finds in many job postings (hot), not one maker's product few have heard of
            tool_rows[code] = rows(list(occ.tools) + [t.example for t in occ.technology
                                                      if t.hot or names_a_kind(t.example)])
        texts = list(row_of)
        from sklearn.feature_extraction.text import TfidfVectorizer  # built on first use: keeps `oca` quick to start

        vectorizer = TfidfVectorizer(lowercase=True, stop_words="english", sublinear_tf=True, dtype=np.float32,
                                     token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9]+\b")
        matrix = vectorizer.fit_transform(texts).tocsr()
        spread = np.zeros(len(texts), dtype=np.int32)
        for table in (duty_rows, tool_rows):
            for held in table.values():
                spread[held] += 1
        codes = list(kb.occupations)
        summary_matrix = vectorizer.transform(
            [f"{kb.occupations[c].title}. {kb.occupations[c].description or ''}" for c in codes]).tocsr()
        summaries = {code: summary_matrix[i] for i, code in enumerate(codes)}
        core = frozenset(t.text for occ in kb.occupations.values() for t in occ.tasks if t.kind == "core")
        work_matrix = vectorizer.transform(
            [" ".join([t.text for t in kb.occupations[c].tasks] + list(kb.occupations[c].dwas)) for c in codes]).tocsr()
        work = {code: work_matrix[i] for i, code in enumerate(codes)}
        return cls(kb, vectorizer, matrix, texts, duty_rows, tool_rows, spread, summaries, core, work, work_verbs(kb),
                   product_names(kb))


_FIRST_WORD = re.compile(r"[A-Za-z]+")
_WORD = re.compile(r"[a-z][a-z0-9+#]*")


_KIND_ENDINGS = frozenset({"software", "system", "systems", "application", "applications", "program", "programs",
                           "database", "databases", "platform", "platforms"})


def names_a_kind(example: str) -> bool:
    """Whether a technology example of O*NET names a kind of software ("Route planning software", "Soil information
    databases", "Computer aided design CAD software") rather than one maker's product ("bMobile Technology Sales",
    "Capital Codeworks MenuMax", "Online Computer Library Center (OCLC) databases"): it ends in a word for software
    and, past its first word, capitalises only acronyms."""
    words = example.split()
    if not words or words[-1].lower() not in _KIND_ENDINGS:
        return False
    for i, word in enumerate(words):
        if word.islower() or word.isupper() or not word[0].isalpha():
            continue
        if i == 0 and word[0].isupper() and not any(ch.isupper() for ch in word[1:]):  # "Route", not "PayClock"
            continue
        return False
    return True


def product_names(kb: KnowledgeBase) -> frozenset[str]:
    """The names of the software and technology products O*NET lists, lower case, for the intake to tell a list of
    them from work ("QuickBooks and Dentrix" answering a duties question): each example whole ("intuit
    quickbooks"), without its maker's name ("quickbooks"), and each of its words that no occupation's title,
    description, task or DWA uses, nor is a title by itself ("dentrix", "autocad"). An example made only of
    such common words names nothing: "Microsoft Word" gives no "word", "Email" nothing."""
    ordinary: set[str] = set()
    for occ in kb.occupations.values():
        for text in [occ.title, occ.description or "", *occ.dwas, *(t.text for t in occ.tasks)]:
            ordinary.update(_WORD.findall(text.lower()))
        ordinary.update(t.lower() for t in [*(alt.title for alt in occ.alt_titles), *occ.reported_titles]
                        if _WORD.fullmatch(t.lower()))  # a one-word title: "Sounder", "Blender", "EMT"
    ordinary |= {w[:-1] for w in ordinary if w.endswith("s")}  # "Chefs" makes "chef" an ordinary word too

    def common(word: str) -> bool:
        return len(word) < 3 or word in STOPWORDS or word in ordinary or not _WORD.fullmatch(word)

    names: set[str] = set()
    for occ in kb.occupations.values():
        for tech in occ.technology:
            example = " ".join(tech.example.lower().split())
            words = example.split()
            distinctive = [w for w in words if not common(w)]
            if not distinctive:  # common words alone ("Email", "Real estate") name no product
                continue
            names.update(distinctive)
            names.add(example)
            if len(words) > 1 and any(w in distinctive for w in words[1:]):
                names.add(" ".join(words[1:]))
    return frozenset(names)


def work_verbs(kb: KnowledgeBase) -> frozenset[str]:
    """The words a statement of work starts with, lower case: the verbs O*NET's tasks and DWAs begin with ("Tend",
    "Manage"), as a task writes them and as a description does ("tends", "manages", "carries"), for the intake to
    tell work from a title or a business (`intake.states_work`). A word some O*NET title also begins with ("cook",
    "cooks", "claims", "sales", "oil") is left out: it may as well name the job or the trade."""
    def first(text: str) -> str | None:
        m = _FIRST_WORD.match(text)
        return m.group(0).lower() if m else None

    verbs: set[str | None] = set(task_verbs(kb))
    titles: set[str | None] = set()
    for occ in kb.occupations.values():
        verbs.update(first(text) for text in occ.dwas)
        titles.update(first(text) for text in [occ.title, *occ.reported_titles]
                      + [t for alt in occ.alt_titles for t in (alt.title, alt.short_title) if t])
    forms: set[str] = set()
    for verb in verbs:
        if verb is None or len(verb) < 3 or verb in STOPWORDS:
            continue
        forms |= {verb, verb + "s"}
        if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
            forms.add(verb + "es")
        if verb.endswith("y") and verb[-2] not in "aeiou":
            forms.add(verb[:-1] + "ies")
    return frozenset(forms - titles)


# Knowledge bases are slotted dataclasses (no weak references): keep the last few, keyed by identity.
_INDEXES: dict[int, tuple[KnowledgeBase, ProfileIndex]] = {}
_INDEXES_KEPT = 4


def profile_index(kb: KnowledgeBase) -> ProfileIndex:
    """One index per knowledge base, built on first use (about a second on the full release)."""
    held = _INDEXES.get(id(kb))
    if held is not None and held[0] is kb:
        return held[1]
    index = ProfileIndex.build(kb)
    if len(_INDEXES) >= _INDEXES_KEPT:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(kb)] = (kb, index)
    return index


RANKED = 10  # candidates the answers re-weigh: the chat's panel, a submission's coding, Part B's proposal


@dataclass(frozen=True)
class Evidence:
    """What the customer has said that bears on the choice between candidates, beyond the words of the job."""

    supervises: bool | None = None
    education_zone: int | None = None
    licences: tuple[str, ...] = ()


def log_factors(codes: Sequence[str], evidence: Evidence, kb: KnowledgeBase) -> np.ndarray:
    """Each candidate's log multiplier from `evidence`; only differences between candidates matter."""
    out = np.zeros(len(codes), dtype=np.float64)
    occs = [kb.occupations.get(code) for code in codes]
    if evidence.supervises is not None:
        sign = 1.0 if evidence.supervises else -1.0
        out += [sign * math.log(SUPERVISION_FACTOR) * (1 if occ and is_supervisory(occ) else -1) / 2 for occ in occs]
    if evidence.education_zone is not None:
        out += [
            -math.log(ZONE_FACTOR) * abs(evidence.education_zone - occ.job_zone)
            if occ is not None and occ.job_zone is not None else 0.0
            for occ in occs
        ]
    if evidence.licences:
        # "RN license" -> {registered, nurse}: the share of those words in each title ("Registered Nurses" all,
        # "Licensed Practical ... Nurses" half)
        named = set(title_tokens(" ".join(evidence.licences))) - {"license", "licence", "certificate", "certification"}
        if named:
            out += [math.log(LICENCE_FACTOR) * len(named & set(title_tokens(occ.title))) / len(named) if occ else 0.0
                    for occ in occs]
    return out


def reweight(probabilities: Sequence[float], factors: np.ndarray) -> np.ndarray:
    """Multiply and renormalise so the candidates keep the share of probability the engine gave them together."""
    p = np.asarray(probabilities, dtype=np.float64)
    total = p.sum()
    if total <= 0:
        p = np.full(len(p), 1.0 / max(len(p), 1))
        total = 1.0
    logits = np.log(np.clip(p, 1e-9, None)) + factors
    weights = np.exp(logits - logits.max())
    return weights / weights.sum() * total


def evidence_of(part_a: PartA) -> Evidence:
    """What Part A says about supervision, education and licences."""
    supervises = None
    if part_a.supervision_given:
        supervises = not NO_SUPERVISION.search(part_a.supervision_given.lower())
    return Evidence(supervises=supervises, education_zone=education_zone(part_a.education),
                    licences=tuple(part_a.licenses))


def rank_part_a(part_a: PartA, engine: Any, k: int) -> CodingResult | None:
    """The engine's answer for Part A, its best `k` candidates re-weighted by what Part A says about
    supervision, education and licences and re-ranked: what the chat shows, what a submission is coded with
    and what Part B proposes, so the three agree. None when Part A has nothing to code yet.

    Someone who supervises is coded by the work supervised (SOC's rule for first-line supervisors), so when Part A
    says the job supervises (not as an occasional duty), each candidate's share also counts for the supervisor of
    its workers, who joins the candidates if the engine had not ranked it among them."""
    description = part_a.job_text() or None
    if not part_a.job_title and not description:
        return None
    query = dict(title=part_a.job_title, description=description, industry=part_a.industry_text() or None)
    result = engine.code(**query, k=k)
    if not result.candidates:
        return result
    evidence = evidence_of(part_a)
    candidates = list(result.candidates)
    confidences = [c.confidence for c in candidates]
    if evidence.supervises and not supervises_occasionally(part_a):
        candidates, confidences = _credit_supervisors(candidates, engine, query)
    codes = [c.code for c in candidates]
    probs = reweight(confidences, log_factors(codes, evidence, engine.kb))
    order = sorted(range(len(codes)), key=lambda i: -probs[i])[:k]
    ranked = [candidates[i].model_copy(update={"rank": r + 1, "confidence": round(float(probs[i]), 4)})
              for r, i in enumerate(order)]
    return result.model_copy(update={"candidates": ranked})


_OCCASIONAL = re.compile(r"\b(?:may|might|sometimes|occasionally|also|can|could)\s+$", re.IGNORECASE)


def supervises_occasionally(part_a: PartA) -> bool:
    """Whether the supervising Part A records is said as an occasional duty ("May direct workers ...", "I sometimes
    lead the crew") or as one learner or helper ("I supervise an apprentice") or learners only ("two apprentices",
    `LEARNERS_ONLY`): SOC codes a lead worker who also does the work with the workers, a first-line supervisor only
    when supervising is the job."""
    said = (part_a.supervision_given or "").strip().lower()
    if not said:
        return False
    if ONE_LEARNER.search(said) or LEARNERS_ONLY.match(said):
        return True
    for text in [part_a.summary or "", *(d.text for d in part_a.duties)]:
        at = text.lower().find(said)
        if at >= 0 and _OCCASIONAL.search(text[:at]):
            return True
    return False


def _credit_supervisors(candidates: list[Candidate], engine: Any, query: dict) -> tuple[list[Candidate], list[float]]:
    """Each candidate's confidence added to the supervisor of its work (`Engine.supervisor_of`), the supervisors
    the engine had not listed fetched from its full ranking; the shares are scaled back to the total the engine
    gave the candidates, so the answers' factors then decide between the workers and their supervisor."""
    supervisor_of = getattr(engine, "supervisor_of", None)
    if supervisor_of is None:
        return candidates, [c.confidence for c in candidates]
    total = sum(c.confidence for c in candidates)
    credit: dict[str, float] = {}
    for c in candidates:
        head = supervisor_of(c.code)
        if head is not None:
            credit[head] = credit.get(head, 0.0) + c.confidence
    listed = {c.code for c in candidates}
    missing = [head for head in credit if head not in listed]
    if missing:
        everyone = {c.code: c for c in engine.code(**query, k=len(engine.codes)).candidates}
        candidates = candidates + [everyone[head] for head in missing if head in everyone]
    raw = [c.confidence + credit.get(c.code, 0.0) for c in candidates]
    scale = total / sum(raw) if sum(raw) > 0 else 1.0
    return candidates, [p * scale for p in raw]
