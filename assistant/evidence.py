"""The evidence behind a Part B draft: what in the customer's Part A agrees with an occupation's O*NET profile.

Each item pairs the customer's own words with the O*NET text they matched, so whoever writes the
rationale (the offline templates or a language model) can only point at things that were really found.
Duties are aligned to task statements with the index's own task vectors (no re-embedding of O*NET),
education against the occupation's education survey and job zone, licences against its licensing
statements and titles, supervision against whether it is a supervisory occupation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, Field

from assistant.parta import NO_SUPERVISION, PROFESSIONAL_SCHOOL, TRADE_SCHOOL, PartA
from retrieval.normalize import normalize_title, text_tokens, title_tokens
from retrieval.onet import KnowledgeBase, Occupation

CitationKind = Literal["duty_task", "title", "education", "licence", "supervision", "tool", "industry"]
CheckStatus = Literal["agree", "disagree", "unknown"]
CHECK_NAMES = ("education", "licence", "supervision")

DUTY_MATCH = 0.5  # cosine of a duty and a task statement from which the duty counts as that task
DUTY_UNMENTIONED = 0.4  # below this for every duty, a core task is one the customer did not mention
TITLE_MATCH = 0.3  # title similarity below which two titles have only letters in common
EDUCATION_SHARE = 10.0  # percent of O*NET respondents at the customer's level that makes it usual

TITLE_KINDS = {
    "title": "the O*NET title", "alternate_title": "an O*NET alternate title",
    "reported_title": "a title reported by workers", "direct_match_title": "a BLS direct-match title",
    "lay_title": "a title an analyst approved", "other_title": "an O*NET title",
}


class Citation(BaseModel):
    """One piece of evidence a rationale may cite by `id`."""

    id: str = Field(description="E1, E2, ...")
    kind: CitationKind
    code: str = Field(description="the occupation this evidence is about")
    customer_text: str = Field(description="the customer's words")
    onet_text: str = Field(description="the O*NET text (or profile fact) they matched")
    score: float | None = Field(None, description="similarity in [0, 1] where one was measured")
    note: str = ""


class Check(BaseModel):
    """Whether one item of Part A agrees with the occupation's profile."""

    status: CheckStatus
    customer: str | None = None
    onet: str | None = None
    explanation: str
    citation: str | None = None


class Checks(BaseModel):
    education: Check
    licence: Check
    supervision: Check


@dataclass
class DutyMatch:
    duty: str
    task: str
    task_kind: str
    similarity: float

    @property
    def matched(self) -> bool:
        return self.similarity >= DUTY_MATCH


@dataclass
class Alignment:
    """How the customer's duties line up with one occupation's task statements."""

    code: str
    matches: list[DutyMatch] = field(default_factory=list)  # one per duty, its best task
    unmentioned_core: list[str] = field(default_factory=list)

    @property
    def matched(self) -> list[DutyMatch]:
        return [m for m in self.matches if m.matched]


# ----- duties and tasks ---------------------------------------------------------------------------------------

def customer_duties(part_a: PartA) -> list[str]:
    """The duties as the customer listed them; without a list, the sentences of the summary."""
    duties = [d.text for d in part_a.duties if d.text.strip()]
    if duties or not part_a.summary:
        return duties
    parts = re.split(r"(?<=[.;!?])\s+|\n+", part_a.summary)
    return [p.strip() for p in parts if len(p.strip()) > 15][:12]


def task_vectors(engine, occ: Occupation) -> np.ndarray:
    """Unit vectors of the occupation's task statements: read from the index when the engine offers them,
    embedded here otherwise."""
    reader = getattr(engine, "task_vectors", None)
    if callable(reader):
        vectors = reader(occ.code)
        if vectors is not None and len(vectors) == len(occ.tasks):
            return np.asarray(vectors, dtype=np.float32)
    return np.asarray(engine.embedder.embed([t.text for t in occ.tasks]), dtype=np.float32)


def align_duties(duties: Sequence[str], duty_vectors: np.ndarray | None, occ: Occupation, engine) -> Alignment:
    """Each duty's closest task of `occ`, and the occupation's core tasks no duty comes near."""
    alignment = Alignment(occ.code)
    if not duties or not occ.tasks:
        return alignment
    if duty_vectors is not None:
        sims = duty_vectors @ task_vectors(engine, occ).T
    else:  # no embedder: the share of a duty's words that a task uses
        sims = np.array([[_overlap(d, t.text) for t in occ.tasks] for d in duties], dtype=np.float32)
    for row, duty in zip(sims, duties):
        j = int(np.argmax(row))
        task = occ.tasks[j]
        alignment.matches.append(DutyMatch(duty, task.text, task.kind, round(float(row[j]), 3)))
    closest = sims.max(axis=0)
    alignment.unmentioned_core = [
        t.text for t, best in zip(occ.tasks, closest) if t.kind == "core" and best < DUTY_UNMENTIONED
    ]
    return alignment


def embed_duties(engine, duties: Sequence[str]) -> np.ndarray | None:
    embedder = getattr(engine, "embedder", None)
    if not duties or embedder is None:
        return None
    return np.asarray(embedder.embed(list(duties)), dtype=np.float32)


def _overlap(customer: str, onet: str) -> float:
    words = set(text_tokens(customer))
    return len(words & set(text_tokens(onet))) / len(words) if words else 0.0


# ----- titles, tools, industry ------------------------------------------------------------------------------

class TitleMatch(NamedTuple):
    customer: str  # the customer's title
    onet: str  # the O*NET title it matched
    kind: str  # which list O*NET's title is on (TITLE_KINDS)
    score: float
    industry: str | None = None  # the industry the title was read with ("Manager" at a farm: "Farm Manager")


def title_matches(part_a: PartA, candidate, occ: Occupation) -> list[TitleMatch]:
    """The engine's title evidence for the job title, best first: the title as said, and the title read with
    its industry where that matched an O*NET title better (the engine shows it as channel "industry" only
    then); then any of the customer's other titles that O*NET lists for the occupation word for word."""
    out: list[TitleMatch] = []
    if part_a.job_title:
        found: dict[str, TitleMatch] = {}
        for m in candidate.evidence:
            channel = "title" if m.kind == "lay_title" else m.channel
            if channel in ("title", "industry") and channel not in found and m.score >= TITLE_MATCH:
                found[channel] = TitleMatch(part_a.job_title, m.text, m.kind, round(float(m.score), 3),
                                            part_a.industry_text() or None if channel == "industry" else None)
        out += sorted(found.values(), key=lambda t: -t.score)
    if not part_a.other_titles:
        return out
    names = {normalize_title(occ.title): occ.title}
    for alt in occ.alt_titles:
        names.setdefault(normalize_title(alt.title), alt.title)
    for other in part_a.other_titles:
        norm = normalize_title(other)
        if norm and norm in names:
            out.append(TitleMatch(other, names[norm], "other_title", 1.0))
    return out


def tool_matches(tools: Sequence[str], occ: Occupation) -> list[tuple[str, str]]:
    """Each customer tool and the O*NET tool or technology example that shares most of its words."""
    examples = list(dict.fromkeys([*occ.tools, *(t.example for t in occ.technology)]))
    out = []
    for tool in tools:
        words = set(text_tokens(tool))
        if not words:
            continue
        best, share = None, 0.0
        for example in examples:
            s = len(words & set(text_tokens(example))) / len(words)
            if s > share:
                best, share = example, s
        if best is not None and share >= 0.5:
            out.append((tool, best))
    return out[:6]


_GENERIC_INDUSTRY = frozenset(text_tokens(
    "industry industries services service company companies business businesses firm sector private public "
    "general local national manufacturing retail trade establishment"
))


def industry_match(industry: str, occ: Occupation) -> str | None:
    """The O*NET sentence of the occupation (description or task) that names the most of the industry's words,
    at least half of them ("medical records" is no evidence for "General Medical and Surgical Hospitals")."""
    words = set(text_tokens(industry)) - _GENERIC_INDUSTRY
    if not words:
        return None
    best, hits = None, (len(words) - 1) // 2
    for text in [occ.description, *(t.text for t in occ.tasks)]:
        n = len(words & set(text_tokens(text)))
        if n > hits:
            best, hits = text, n
    return best


# ----- education ------------------------------------------------------------------------------------------

# Highest level first: a text naming several levels ("high school and a bachelor's") counts as the highest.
_EDUCATION_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (12, re.compile(r"post[- ]?doc")),
    (11, re.compile(r"\bph\.?\s?d\b|doctora(te|l)|\bdphil\b|\bed\.?d\b|\bdnp\b|\bpsy\.?d\b")),
    (10, re.compile(r"\bm\.d\b|\bmd\b|\bj\.?d\b|\bdds\b|\bdmd\b|pharm\.?\s?d|\bdvm\b|first professional|"
                    r"medical degree|law degree|" + PROFESSIONAL_SCHOOL)),
    (9, re.compile(r"post[- ]master")),
    (8, re.compile(r"\bmasters?\b|master'?s|\bm\.?sc?\b|\bmba\b|\bmsn\b|\bm\.?ed\b|\bmph\b|\bmsw\b|\bm\.a\b|"
                   r"graduate school")),
    (7, re.compile(r"post[- ]?baccalaureate|graduate certificate")),
    (6, re.compile(r"bachelor|\bb\.?sc?\b|\bbsn\b|\bb\.a\b|\bba\b|four[- ]year|undergraduate degree|"
                   r"(college|university) degree")),
    (5, re.compile(r"associate|\ba\.?a\.?s?\b|\badn\b|two[- ]year|community college")),
    (4, re.compile(r"some college|college (courses|credits|classes)")),
    (3, re.compile(r"certificat|vocational|trade school|technical (school|college)|post[- ]?secondary|"
                   r"apprentice|diploma in|nursing diploma|licen[cs]ed? program|" + TRADE_SCHOOL)),
    (2, re.compile(r"high[- ]school|\bged\b|secondary school|\bdiploma\b|12th grade")),
    (1, re.compile(r"\bnone\b|no formal|less than high|not required|no (education|qualification)|"
                   r"\bnothing\b")),
    (6, re.compile(r"\bdegree\b")),  # a degree of no named kind: most often a bachelor's
]
# What each job zone usually asks, on the same 1-12 scale (O*NET Job Zone Reference, "Education").
_ZONE_LEVELS = {1: (1, 2), 2: (2, 3), 3: (3, 5), 4: (6, 7), 5: (8, 12)}


def education_level(text: str | None) -> int | None:
    """The O*NET 'Required Level of Education' category (1-12) a free-text answer names, if it names one."""
    if not text:
        return None
    folded = text.lower()
    for level, pattern in _EDUCATION_LEVELS:
        if pattern.search(folded):
            return level
    return None


def check_education(part_a: PartA, occ: Occupation, kb: KnowledgeBase) -> Check:
    """Part A's education (or, without one, its training: "a two-year apprenticeship") against the share of
    the occupation's workers at that level and its job zone."""
    customer = part_a.education
    level = education_level(customer)
    if level is None and education_level(part_a.training) is not None:
        customer, level = part_a.training, education_level(part_a.training)
    zone = occ.job_zone
    zone_name = kb.job_zone_names.get(zone) if zone is not None else None
    typical = occ.typical_education
    typical_name = kb.education_categories.get(typical) if typical is not None else None
    onet_parts = []
    if typical_name:
        onet_parts.append(f"most often {typical_name} ({occ.education.get(typical, 0):.0f}% of workers)")
    if zone_name:
        onet_parts.append(zone_name)
    onet = "; ".join(onet_parts) or None
    if not customer:
        return Check(status="unknown", onet=onet, explanation="Part A does not say what education the job needs.")
    if level is None:
        return Check(status="unknown", customer=customer, onet=onet,
                     explanation="The education given does not name a level that can be compared.")
    level_name = kb.education_categories.get(level, f"level {level}")
    if occ.education and typical is not None:
        share = occ.education.get(level, 0.0)
        if share >= EDUCATION_SHARE or abs(level - typical) <= 1:
            common = ("and the most common one" if level == typical
                      else f"; the most common level is {typical_name}")
            return Check(status="agree", customer=customer, onet=onet,
                         explanation=f"{share:.0f}% of workers in this occupation need {level_name}, "
                                     f"the level Part A gives{' ' if level == typical else ''}{common}.")
        few = "No" if share < 0.5 else f"Only {share:.0f}% of"
        return Check(status="disagree", customer=customer, onet=onet,
                     explanation=f"{few} workers in this occupation need {level_name}; most need {typical_name}.")
    if zone in _ZONE_LEVELS:
        low, high = _ZONE_LEVELS[zone]
        fits = low - 1 <= level <= high + 1
        return Check(status="agree" if fits else "disagree", customer=customer, onet=onet,
                     explanation=f"{level_name} {'fits' if fits else 'does not fit'} {zone_name}.")
    return Check(status="unknown", customer=customer, onet=onet,
                 explanation="O*NET has no education data for this occupation.")


# ----- licences ---------------------------------------------------------------------------------------------

# "Licensing required.", "Requires commercial drivers' license.", "Must hold government-issued certification"
_REQUIRED = re.compile(r"(licen[cs]\w*|registration|certification)[^.]*\brequired\b|"
                       r"\b(requires?|required to|must (hold|be|have))\b[^.]*\b(licen[cs]\w*|certific\w*|registration)")
_NO_LICENCE = re.compile(r"^\s*(none|no|n/?a|nil|not (required|applicable)|no (licen[cs]e|certificat)\w*)\W*$")
_GENERIC_LICENCE = frozenset(title_tokens(
    "licence license licensed licensure certificate certification certified card permit credential valid current "
    "active state national board exam holder class type level endorsement driver"
)) - {"licensed", "certified"}
_LICENCE_ABBREVIATIONS = {"cdl": "commercial driver"}


def licence_statements(occ: Occupation) -> list[str]:
    """The sentences of the occupation's O*NET description that require a licence or certificate (a sentence
    that only mentions one, "maintain software licenses", is not one of them)."""
    sentences = (s.strip() for s in re.split(r"(?<=[.])\s+", occ.description))
    return [s for s in sentences if _REQUIRED.search(s.lower()) and "should be reported" not in s.lower()]


def licence_words(licence: str) -> set[str]:
    # a class joined on stays with the abbreviation's meaning: "CDL-B" is a commercial driver's licence
    text = " ".join(_LICENCE_ABBREVIATIONS.get(re.sub(r"-[a-c]$", "", w.lower()), w)
                    for w in re.findall(r"[\w'-]+", licence))
    return set(title_tokens(text)) - _GENERIC_LICENCE


def names_occupation(licence: str, occ: Occupation, statements: Sequence[str]) -> bool:
    """Whether a licence names the occupation: it holds every word of one of its titles of two words or more
    ("RN licence, Ohio" holds "Registered Nurse"), its words beyond the generic ones ("licence", "class",
    "driver's", ...) all belong to one of its titles ("Plumber license" and "Plumbers, Pipefitters, and
    Steamfitters"), or to its licensing statement ("CDL" and "Requires commercial drivers' license")."""
    words = licence_words(licence)
    if not words:
        return False
    for title in [occ.title, *(a.title for a in occ.alt_titles)]:
        wanted = set(title_tokens(title))
        if (len(wanted) >= 2 and wanted <= words) or words <= wanted:
            return True
    stated = {w for s in statements for w in title_tokens(s)}
    return words <= stated


def check_licence(part_a: PartA, occ: Occupation, rivals: Sequence[Occupation] = ()) -> Check:
    """The licences in Part A against the occupation's licensing statement and titles; a licence that names
    one of the `rivals` (the other candidates) and not this occupation disagrees."""
    statements = licence_statements(occ)
    required = bool(statements)
    onet = statements[0] if statements else None
    licences = [lic for lic in part_a.licenses if lic.strip()]
    if not licences:
        why = ("O*NET says this occupation needs a licence; Part A names none, so ask."
               if required else "Part A names no licence.")
        return Check(status="unknown", onet=onet, explanation=why)
    if all(_NO_LICENCE.match(lic.lower()) for lic in licences):
        if required:
            return Check(status="disagree", customer="; ".join(licences), onet=onet,
                         explanation="Part A says the job needs no licence, but O*NET says this occupation does.")
        return Check(status="agree", customer="; ".join(licences), onet=onet,
                     explanation="Part A says the job needs no licence, and O*NET names none for this occupation.")
    best = next((lic for lic in licences if names_occupation(lic, occ, statements)), None)
    if best is not None:
        onet_text = onet or occ.title
        why = (f"The licence '{best}' names this occupation"
               + (", and O*NET says it requires licensing." if required else "."))
        return Check(status="agree", customer=best, onet=onet_text, explanation=why)
    for rival in rivals:
        named = next((lic for lic in licences if names_occupation(lic, rival, licence_statements(rival))), None)
        if named is not None and rival.code != occ.code:
            return Check(status="disagree", customer=named, onet=onet or occ.title,
                         explanation=f"The licence '{named}' names {rival.title}, not this occupation.")
    if required:
        return Check(status="unknown", customer="; ".join(licences), onet=onet,
                     explanation="O*NET says this occupation needs a licence; the licence Part A names does not "
                                 "name this occupation, so confirm it is the one required.")
    return Check(status="unknown", customer="; ".join(licences), onet=onet,
                 explanation="O*NET names no licence for this occupation; the licence in Part A neither confirms "
                             "nor rules it out.")


# ----- supervision ------------------------------------------------------------------------------------------

# Verbs of directing people, not the nouns: "notifies the supervisor", "under supervision of a nurse" and
# "oversees construction" are not supervising anyone.
_PEOPLE = r"(the |a |other )?(work(ers)?|staff|crew|team|employees|personnel|activities of)"
_SUPERVISING_DUTY = re.compile(rf"\b(supervis(e|es|ing)|oversee(s|ing)? {_PEOPLE}|manag(e|es|ing) {_PEOPLE}|"
                               rf"direct(s|ing)? {_PEOPLE}|lead(s|ing)? (a |the )?team)\b")
_SUPERVISING_TASK = re.compile(rf"\b(supervis(e|es|ing)|direct\w* {_PEOPLE})\b")

Role = Literal["supervisor", "manager", "worker"]


def occupation_role(occ: Occupation, kb: KnowledgeBase) -> Role:
    """First-line supervisors (SOC minor groups titled 'Supervisors of ...') and managers (major group 11)
    direct others as the main part of the job; every other occupation is a worker's."""
    if occ.title.lower().startswith(("first-line supervisors", "supervisors")):
        return "supervisor"
    for group in kb.taxonomy.hierarchy(occ.soc_code):
        if group.level == "minor" and "supervisors" in group.title.lower():
            return "supervisor"
    if occ.soc_code.startswith("11-"):
        return "manager"
    return "worker"


def customer_supervises(part_a: PartA) -> tuple[bool | None, str | None]:
    """Whether the job supervises others, and the customer's words that say so."""
    given = (part_a.supervision_given or "").strip()
    if given:
        return (not NO_SUPERVISION.search(given.lower())), given
    for duty in customer_duties(part_a):
        if _SUPERVISING_DUTY.search(duty.lower()):
            return True, duty
    return None, None


def check_supervision(part_a: PartA, occ: Occupation, kb: KnowledgeBase) -> Check:
    supervises, words = customer_supervises(part_a)
    role = occupation_role(occ, kb)
    role_text = {"supervisor": "a first-line supervisor occupation", "manager": "a management occupation",
                 "worker": "an occupation of workers who do not mainly supervise"}[role]
    if supervises is None:
        return Check(status="unknown", onet=f"{occ.title}: {role_text}",
                     explanation="Part A does not say whether the job supervises others.")
    if supervises and role != "worker":
        return Check(status="agree", customer=words, onet=f"{occ.title}: {role_text}",
                     explanation=f"The job supervises others, and this is {role_text}.")
    if not supervises and role == "worker":
        return Check(status="agree", customer=words, onet=f"{occ.title}: {role_text}",
                     explanation="The job supervises no one, as is usual in this occupation.")
    if supervises:
        task = next((t.text for t in occ.tasks if _SUPERVISING_TASK.search(t.text.lower())), None)
        if task:
            return Check(status="agree", customer=words, onet=task,
                         explanation="The job supervises others; this occupation's tasks include supervising.")
        return Check(status="disagree", customer=words, onet=f"{occ.title}: {role_text}",
                     explanation="The job supervises others, but this occupation does not; if supervising is "
                                 "most of the job, a supervisor occupation may fit better.")
    return Check(status="disagree", customer=words, onet=f"{occ.title}: {role_text}",
                 explanation=f"The job supervises no one, but this is {role_text}.")


def check_all(part_a: PartA, occ: Occupation, kb: KnowledgeBase, rivals: Sequence[Occupation] = ()) -> Checks:
    return Checks(education=check_education(part_a, occ, kb), licence=check_licence(part_a, occ, rivals),
                  supervision=check_supervision(part_a, occ, kb))


__all__ = [
    "CHECK_NAMES", "Alignment", "Check", "CheckStatus", "Checks", "Citation", "CitationKind", "DutyMatch",
    "TITLE_KINDS", "TitleMatch", "align_duties", "check_all", "customer_duties", "education_level", "embed_duties",
    "industry_match", "occupation_role", "title_matches", "tool_matches",
]
