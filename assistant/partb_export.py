"""Part B drafts as documents: Markdown, a printable self-contained HTML page, and JSON.

Every document shows the Part B items and the Part A job summary. Contact details appear only in the copy
for the customer or the analyst (`include_contact=True`); the default copy leaves them out. The HTML is
rendered by Jinja2 with autoescaping, so nothing a customer typed can become markup; Markdown escapes the
characters that would make a customer's words into formatting or raw HTML.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from assistant.parta import PartA, naics_title

if TYPE_CHECKING:
    from jinja2 import Environment

    from assistant.partb import PartBDraft

CHECK_LABELS = {"education": "Education", "licence": "Licence", "supervision": "Supervision"}
VERDICTS = {"agree": "agrees", "disagree": "does not agree", "unknown": "cannot be checked"}
KIND_LABELS = {
    "duty_task": "duty and task", "title": "job title", "education": "education", "licence": "licence",
    "supervision": "supervision", "tool": "tool or technology", "industry": "industry",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def job_items(part_a: PartA) -> list[tuple[str, str]]:
    """Part A's job items that have a value, as (label, text), in the form's order."""
    items: list[tuple[str, str]] = []

    def put(label: str, value: object) -> None:
        if value not in (None, "", []):
            items.append((label, str(value)))

    put("Job title", part_a.job_title)
    put("Other titles", "; ".join(part_a.other_titles))
    industries = []
    for ind in part_a.industries:
        naics = f"NAICS {ind.naics} {naics_title(ind.naics) or ''}".strip() if ind.naics else ""
        industries.append(" — ".join(x for x in (ind.name or "", naics) if x))
    put("Industry", "; ".join(i for i in industries if i))
    put("Summary", part_a.summary)
    for n, duty in enumerate(part_a.duties, start=1):
        share = f" ({duty.time_share:g}% of the time)" if duty.time_share is not None else ""
        put(f"Duty {n}", duty.text + share)
    put("Tools, equipment and technology", "; ".join(part_a.tools))
    put("Education", part_a.education)
    put("Training", part_a.training)
    put("Licences and certifications", "; ".join(part_a.licenses))
    put("Experience", part_a.experience)
    put("Supervises", part_a.supervision_given)
    put("Supervised by", part_a.supervision_received)
    put("Work setting", part_a.work_setting)
    put("Number of workers", part_a.number_of_workers)
    put("Code the customer suggests", part_a.suggested_code)
    return items


def contact_items(part_a: PartA) -> list[tuple[str, str]]:
    c = part_a.contact
    address = ""
    if c.address is not None:
        a = c.address
        address = ", ".join(x for x in (a.street, a.city, a.state, a.postal_code, a.country) if x)
    pairs = [("Name", c.name), ("Organization", c.organization), ("Address", address),
             ("Requester", c.requester_type), ("E-mail", c.email), ("Phone", c.phone),
             ("Date", c.date.isoformat() if c.date else None)]
    return [(label, str(value)) for label, value in pairs if value]


def _writer(draft: PartBDraft) -> str:
    return "a language model, checked against the evidence" if draft.written_by == "llm" else "offline templates"


# ----- JSON -------------------------------------------------------------------------------------------------

def to_json(draft: PartBDraft, part_a: PartA | None = None, *, include_contact: bool = False) -> str:
    """{"part_b": the draft, "part_a": the job items (and the contact when `include_contact`) or null}."""
    part_a_json = None
    if part_a is not None:
        part_a_json = part_a.model_dump(mode="json", exclude=None if include_contact else {"contact"})
    return json.dumps({"part_b": draft.model_dump(mode="json"), "part_a": part_a_json}, ensure_ascii=False,
                      indent=2)


# ----- Markdown ---------------------------------------------------------------------------------------------

def md_escape(text: str) -> str:
    """The customer's words as literal Markdown text: no formatting, no raw HTML, one line."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(draft: PartBDraft, part_a: PartA, *, include_contact: bool = False) -> str:
    lines = [
        "# OCA Form Part B (draft)",
        "",
        f"**Proposed occupation:** {draft.code} {md_escape(draft.title)}  ",
        f"**SOC 2018:** {_soc_line(draft, md_escape)}  ",
        f"**Confidence:** {_confidence_line(draft)}  ",
        f"**Written by:** {_writer(draft)}; engine {md_escape(draft.engine_version)}, {md_escape(draft.release)}, "
        f"{draft.created_at:%Y-%m-%d %H:%M} UTC",
        "",
        "## Rationale",
        "",
    ]
    for paragraph in draft.rationale:
        lines += [md_escape(paragraph), ""]
    if draft.fallback_reason:
        lines += [f"_The language model's rationale was not used: {md_escape(draft.fallback_reason)}_", ""]
    lines += ["## Checks against the occupation's profile", "", "| Item | Verdict | Why | Evidence |",
              "|---|---|---|---|"]
    for name, label in CHECK_LABELS.items():
        check = getattr(draft.checks, name)
        lines.append(f"| {label} | {VERDICTS[check.status]} | {md_escape(check.explanation)} | "
                     f"{check.citation or ''} |")
    lines += ["", "## Evidence", "", "| Id | Kind | Occupation | Part A says | O*NET says | Score |",
              "|---|---|---|---|---|---|"]
    for c in draft.citations:
        score = f"{c.score:.2f}" if c.score is not None else ""
        kind = KIND_LABELS.get(c.kind, c.kind) + (f" ({md_escape(c.note)})" if c.note else "")
        lines.append(f"| {c.id} | {kind} | {c.code} | {md_escape(c.customer_text)} | {md_escape(c.onet_text)} "
                     f"| {score} |")
    lines += ["", "## Runners-up", ""]
    if not draft.runners_up:
        lines.append("None.")
    for r in draft.runners_up:
        lines.append(f"- **{r.code} {md_escape(r.title)}** ({r.confidence:.0%}): "
                     + " ".join(md_escape(x) for x in r.reasons))
    lines += ["", "## Part A: the job", ""]
    lines += [f"- **{label}:** {md_escape(value)}" for label, value in job_items(part_a)] or ["(empty)"]
    if include_contact:
        lines += ["", "## Part A: contact", ""]
        lines += [f"- **{label}:** {md_escape(value)}" for label, value in contact_items(part_a)] or ["(none given)"]
    return "\n".join(lines) + "\n"


def _soc_line(draft: PartBDraft, esc) -> str:
    levels = [g for g in (draft.soc.major, draft.soc.minor, draft.soc.broad, draft.soc.detailed) if g is not None]
    return "; ".join(f"{g.code} {esc(g.title)}" for g in levels) or draft.soc_code


def _confidence_line(draft: PartBDraft) -> str:
    text = f"{draft.confidence:.0%}"
    if draft.margin is not None:
        text += f", {draft.margin * 100:.0f} points above the best occupation of another SOC code"
    return text


# ----- HTML -------------------------------------------------------------------------------------------------

def link_citations(text: str) -> Markup:
    """The escaped text with each cited id ([E1], [E1, E2]) linked to its row in the evidence table."""
    from assistant.partb_llm import CITATION_RE

    def link(group: re.Match[str]) -> str:
        return "[" + re.sub(r"E\d+", lambda m: f'<a href="#{m.group(0)}">{m.group(0)}</a>', group.group(1)) + "]"

    return Markup(CITATION_RE.sub(link, str(escape(text))))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("assistant", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cite"] = link_citations
    return env


def to_html(draft: PartBDraft, part_a: PartA, *, include_contact: bool = False) -> str:
    """One printable page with its own stylesheet: no scripts, no external resources."""
    checks = [(label, getattr(draft.checks, name)) for name, label in CHECK_LABELS.items()]
    return _environment().get_template("part_b.html").render(
        draft=draft, soc_line=_soc_line(draft, str), confidence=_confidence_line(draft), writer=_writer(draft),
        checks=checks, verdicts=VERDICTS, kinds=KIND_LABELS, job=job_items(part_a),
        contact=contact_items(part_a) if include_contact else None,
    )


__all__ = ["contact_items", "job_items", "link_citations", "md_escape", "to_html", "to_json", "to_markdown"]
