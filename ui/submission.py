"""A submission as an analyst reads it: Part A item by item, the draft Part B with its cited evidence and
runners-up, and the engine's current candidates. Every text a customer or a model wrote is escaped."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from assistant.parta import PartA
from retrieval.errors import OcaError
from ui.markup import escape_markdown
from ui.views.code_job import candidates_table, evidence_line

CANDIDATES_SHOWN = 10
CHECK_ICONS = {"agree": ":material/check_circle:", "disagree": ":material/error:", "unknown": ":material/help:"}


def show_part_a(part_a: PartA) -> None:
    rows: list[tuple[str, str]] = [
        ("Job title", part_a.job_title or ""),
        ("Other titles", "; ".join(part_a.other_titles)),
        ("Summary", part_a.summary or ""),
        ("Industry", "; ".join(f"{i.name or ''}{f' (NAICS {i.naics})' if i.naics else ''}" for i in part_a.industries)),
        ("Tools, equipment, technology", "; ".join(part_a.tools)),
        ("Education", part_a.education or ""),
        ("Training", part_a.training or ""),
        ("Licences, certifications", "; ".join(part_a.licenses)),
        ("Experience", part_a.experience or ""),
        ("Supervises", part_a.supervision_given or ""),
        ("Supervised by", part_a.supervision_received or ""),
        ("Work setting", part_a.work_setting or ""),
        ("Workers in this job", str(part_a.number_of_workers or "")),
        ("Code the customer suggests", part_a.suggested_code or ""),
    ]
    st.markdown("\n".join(f"- **{label}:** {escape_markdown(value)}" for label, value in rows if value)
                or "Part A is empty.")
    if part_a.duties:
        st.markdown("**Duties**")
        st.markdown("\n".join(
            f"{n}. {escape_markdown(d.text)}" + (f" *({d.time_share:g}% of the time)*" if d.time_share else "")
            for n, d in enumerate(part_a.duties, start=1)))
    contact = part_a.contact.model_dump(exclude_none=True)
    if contact:
        with st.expander("Contact details"):
            address = contact.pop("address", None) or {}
            lines = [f"- **{k.replace('_', ' ')}:** {escape_markdown(str(v))}" for k, v in contact.items()]
            if address:
                lines.append(f"- **address:** {escape_markdown(', '.join(str(v) for v in address.values()))}")
            st.markdown("\n".join(lines))


def show_draft(draft: dict[str, Any] | None) -> None:
    if not draft:
        st.info("No Part B draft yet: it is written when the customer submits.")
        return
    from assistant.partb import PartBDraft

    try:
        part_b = PartBDraft.model_validate(draft)
    except ValidationError as exc:
        st.error(escape_markdown(f"The stored draft cannot be read ({exc.error_count()} problem(s)); "
                                 "its raw content follows."))
        st.json(draft, expanded=False)
        return
    st.subheader(escape_markdown(f"{part_b.code} {part_b.title}"))
    groups = [g for g in (part_b.soc.major, part_b.soc.minor, part_b.soc.broad, part_b.soc.detailed) if g]
    if groups:
        st.caption(" › ".join(escape_markdown(f"{g.code} {g.title}") for g in groups))
    left, middle, right = st.columns(3)
    left.metric("Confidence", f"{part_b.confidence:.0%}", border=True)
    middle.metric("Lead over the runner-up", "—" if part_b.margin is None else f"{part_b.margin:.0%}", border=True)
    right.metric("Duties matched", f"{part_b.duties_matched} of {part_b.duties_total}", border=True)
    written = "a language model, checked against the evidence" if part_b.written_by == "llm" else "templates (offline)"
    st.caption(escape_markdown(f"Written by {written}; {part_b.release}, engine {part_b.engine_version}."
                               + (f" Model text not used: {part_b.fallback_reason}" if part_b.fallback_reason else "")))
    for paragraph in part_b.rationale:
        st.markdown(escape_markdown(paragraph))

    st.markdown("**Checks**")
    for name in ("education", "licence", "supervision"):
        check = getattr(part_b.checks, name)
        st.markdown(f"{CHECK_ICONS.get(check.status, '')} **{name.capitalize()}** ({check.status}): "
                    f"{escape_markdown(check.explanation)}")
    if part_b.citations:
        st.markdown("**Evidence cited**")
        st.dataframe(pd.DataFrame([{"id": c.id, "kind": c.kind.replace("_", " "), "customer's words": c.customer_text,
                                    "O*NET": c.onet_text, "score": c.score} for c in part_b.citations]),
                     hide_index=True, column_config={"score": st.column_config.NumberColumn(format="%.2f")})
    if part_b.runners_up:
        st.markdown("**Runners-up**")
        for runner in part_b.runners_up:
            reasons = "; ".join(runner.reasons) or "lower overall match"
            st.markdown(f"- **{escape_markdown(f'{runner.code} {runner.title}')}** "
                        f"({runner.confidence:.0%}): {escape_markdown(reasons)}")


def show_candidates(engine: Any, part_a: PartA) -> None:
    """The engine's ranking for this Part A now, with the O*NET text each candidate matched."""
    try:
        result = engine.code(title=part_a.job_title, description=part_a.job_text() or None,
                             industry=part_a.industry_text() or None, k=CANDIDATES_SHOWN)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if not result.candidates:
        st.info("The engine finds no occupation for this Part A.")
        return
    st.caption(escape_markdown(f"{result.release}, engine {result.engine_version}, {result.elapsed_ms:.0f} ms"))
    st.dataframe(candidates_table(result.candidates), hide_index=True, column_config={
        "confidence": st.column_config.ProgressColumn("Confidence", format="percent", min_value=0.0, max_value=1.0)})
    for candidate in result.candidates:
        with st.expander(escape_markdown(f"{candidate.rank}. {candidate.code} {candidate.title}"),
                         expanded=candidate.rank == 1):
            st.markdown("\n".join(evidence_line(m) for m in candidate.evidence)
                        or "No single O\\*NET text stood out.")
