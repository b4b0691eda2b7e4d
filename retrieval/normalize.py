"""Title and text normalisation: the spelling variety of real job titles folded onto O*NET's wording.

Write-ins abbreviate ("ASST MGR"), invert (DOT style "SALESPERSON, SHOES"), number levels ("ENGINEER II")
and pluralise. The same function runs over O*NET's titles and over the query so both meet in one form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that carry no words: controls (NUL, escapes), lone surrogates (not encodable), and format marks
# (zero-width joiners, direction overrides, byte order marks) that would split or disguise words.
_INVISIBLE = frozenset({"Cs", "Cf", "Co", "Cn"})


def clean_text(value: str) -> str:
    """`value` without characters that carry no words, white space folded to single spaces."""
    if value.isascii() and value.isprintable():
        return " ".join(value.split())
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")  # tabs, line breaks, NUL and escapes separate words
        elif category not in _INVISIBLE:
            kept.append(ch)
    kept = "".join(kept)
    return " ".join(kept.split())


# Common abbreviations in job titles (general usage, not drawn from any evaluation set).
ABBREVIATIONS: dict[str, str] = {
    "mgr": "manager", "mngr": "manager", "mgmt": "management", "asst": "assistant", "assoc": "associate",
    "sr": "senior", "snr": "senior", "jr": "junior", "supv": "supervisor", "supvr": "supervisor",
    "supr": "supervisor", "spvr": "supervisor", "sup": "supervisor", "supt": "superintendent",
    "dir": "director", "exec": "executive", "admin": "administrative", "adm": "administrative",
    "admr": "administrator", "coord": "coordinator", "rep": "representative", "reps": "representative",
    "spec": "specialist", "tech": "technician", "techs": "technician", "eng": "engineer", "engr": "engineer",
    "mech": "mechanic", "maint": "maintenance", "dept": "department", "acct": "accounting",
    "acctg": "accounting", "accts": "accounts", "svc": "service", "svcs": "services", "serv": "service",
    "ops": "operations", "oper": "operator", "opr": "operator", "prod": "production", "mfg": "manufacturing",
    "mktg": "marketing", "mkt": "marketing", "hr": "human resources", "vp": "vice president",
    "svp": "senior vice president", "evp": "executive vice president", "ceo": "chief executive officer",
    "cfo": "chief financial officer", "coo": "chief operating officer", "cto": "chief technology officer",
    "cio": "chief information officer", "rn": "registered nurse", "lpn": "licensed practical nurse",
    "lvn": "licensed vocational nurse", "cna": "certified nursing assistant", "emt": "emergency medical technician",
    "cpa": "certified public accountant", "np": "nurse practitioner", "pa": "physician assistant",
    "dds": "dentist", "md": "physician", "gm": "general manager", "qa": "quality assurance",
    "qc": "quality control", "it": "information technology", "pc": "computer", "sw": "software",
    "hvac": "heating air conditioning", "lab": "laboratory", "med": "medical", "govt": "government",
    "gov": "government", "dr": "doctor", "prof": "professor", "instr": "instructor", "elem": "elementary",
    "sec": "secretary", "secy": "secretary", "recpt": "receptionist", "cust": "customer", "info": "information",
    "gen": "general", "natl": "national", "intl": "international", "dist": "district", "div": "division",
    "reg": "regional", "ast": "assistant", "asst.": "assistant", "aide": "aide", "hosp": "hospital",
    "elec": "electrical", "electr": "electrical", "equip": "equipment", "inst": "installation",
    "insp": "inspector", "mach": "machine", "trans": "transportation", "whse": "warehouse",
    "wh": "warehouse", "inv": "inventory", "lic": "licensed", "cert": "certified",
}

ROMAN_OR_LEVEL = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x|\d{1,2}|level|lvl)$")
_DOTTED_INITIALS = re.compile(r"\b((?:[a-z]\.){2,})")
_NOT_PLURAL_MEN = frozenset({"specimen", "regimen", "abdomen", "acumen", "stamen"})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    "a an and the of for in on at to by with from or as is are be this that any all other others "
    "etc such may per into via".split()
)


def fold(text: str) -> str:
    """Lower-case ASCII: accents dropped, control characters removed."""
    if text.isascii():  # nothing to decompose or drop (most texts; a description is folded several times)
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.encode("ascii", "ignore").decode().lower()


def singular(word: str) -> str:
    """A light, predictable singular that works the same on both sides of a match."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("men") and len(word) > 4 and word not in _NOT_PLURAL_MEN:
        return word[:-3] + "man"  # salesmen -> salesman
    if word.endswith("s"):
        return word[:-1]
    return word


def uninvert(title: str) -> str:
    """DOT-style 'SALESPERSON, SHOES' -> 'SHOES SALESPERSON'; parenthesised qualifiers kept apart."""
    main, _, rest = title.partition("(")
    if "," in main:
        head, _, tail = main.partition(",")
        if head.strip() and tail.strip():
            main = f"{tail.strip()} {head.strip()}"
    return f"{main} ({rest}" if rest else main


# Words that name an employer by its size or ownership alone ("a small company", "a family-owned business"), not by
# its trade: the chat reads such a workplace as no industry (`assistant.intake.GENERIC_WORKPLACE`) and the engine
# leaves it out of a description (`retrieval.engine.PLAIN_EMPLOYER`); each adds words of its own.
EMPLOYER_SIZE_WORDS = (r"small|big|large|little|local|private|privately[- ]owned|family|family[- ]owned|mid-?sized?|"
                       r"medium(?:-sized)?|new|major")

# Capitalised abbreviations spelt like stop words: "IS Manager" is an information systems manager, not a manager,
# "OR Nurse" an operating-room nurse. Read so only in a title that is not all capitals (a write-in in capitals
# says nothing by its case); other capitalised stop words ("AT Pinsetter Mechanic") are kept as they are.
CAPITAL_ABBREVIATIONS = {"is": "information system", "or": "operating room"}
_CAPITAL_WORD = re.compile(r"\b[A-Z]{2,}\b")


def title_tokens(title: str, *, drop_levels: bool = True) -> list[str]:
    """Normalised words of a job title: un-inverted, abbreviations expanded, singular, levels dropped."""
    capitals = ({w.lower() for w in _CAPITAL_WORD.findall(title) if w.lower() in STOPWORDS}
                if not title.isupper() else frozenset())
    text = fold(uninvert(title))
    text = _DOTTED_INITIALS.sub(lambda m: m.group(1).replace(".", "") + " ", text)  # "r.n." -> "rn"
    text = text.replace("&", " and ").replace("/", " ").replace("-", " ")
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        raw = raw.replace("'", "")
        if raw in capitals:
            words = CAPITAL_ABBREVIATIONS.get(raw, raw).split()
        else:
            expanded = ABBREVIATIONS.get(raw)
            words = expanded.split() if expanded else [raw]
        for word in words:
            if drop_levels and ROMAN_OR_LEVEL.match(word):
                continue
            if word in STOPWORDS and raw not in capitals:
                continue
            out.append(singular(word))
    return out


@lru_cache(maxsize=1 << 16)  # one query normalises its title several times (channels, weights, lay titles)
def normalize_title(title: str) -> str:
    return " ".join(title_tokens(title))


def text_tokens(text: str) -> list[str]:
    """Words of free text for lexical search: folded, singular, stop words dropped (no title expansion)."""
    words = _TOKEN.findall(fold(text).replace("-", " "))
    return [singular(w.replace("'", "")) for w in words if w not in STOPWORDS and len(w) > 1]
