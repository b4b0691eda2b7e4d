"""The customer's Part A as an editable form: what the assistant understood, item by item, for the customer to correct.

The form's widgets are keyed by a version number. A chat turn that changes Part A bumps the version so the form
shows the new values; a rejected edit keeps the version, so what the customer typed stays in the boxes next to
the message that says what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

import streamlit as st
from pydantic import ValidationError

from assistant.parta import PartA, RequesterType
from ui.markup import escape_markdown

VERSION_KEY = "parta.version"
ERRORS_KEY = "parta.errors"  # messages of the last rejected edit
SAVED_KEY = "parta.saved"  # set once an edit was saved, to say so on the next run

LABELS: dict[tuple[str, ...], str] = {
    ("job_title",): "Job title",
    ("other_titles",): "Other titles",
    ("summary",): "Summary of the job",
    ("duties",): "Duties",
    ("industries",): "Employer's business",
    ("tools",): "Tools, equipment and technology",
    ("education",): "Education",
    ("training",): "Training and apprenticeship",
    ("licenses",): "Licences and certifications",
    ("experience",): "Experience",
    ("supervision_given",): "Supervises",
    ("supervision_received",): "Supervised by",
    ("work_setting",): "Work setting",
    ("number_of_workers",): "Workers in this job",
    ("suggested_code",): "Code you suggest",
    ("contact", "name"): "Your name",
    ("contact", "organization"): "Organisation",
    ("contact", "requester_type"): "You are",
    ("contact", "email"): "E-mail",
    ("contact", "phone"): "Phone",
}
TEXT_FIELDS = ("job_title", "summary", "education", "training", "experience", "supervision_given",
               "supervision_received", "work_setting", "suggested_code")
LIST_FIELDS = ("other_titles", "tools", "licenses")  # one item a line
CONTACT_FIELDS = ("name", "organization", "email", "phone")
NO_REQUESTER = "—"


def key(version: int, field: str) -> str:
    return f"parta.{version}.{field}"


def version() -> int:
    return st.session_state.get(VERSION_KEY, 0)


def refresh() -> None:
    """Show Part A's current values (after the chat changed it): new widget keys, fresh defaults."""
    st.session_state[VERSION_KEY] = version() + 1
    st.session_state.pop(ERRORS_KEY, None)


def render(part_a: PartA, *, on_save: Callable[[PartA], None], disabled: bool = False) -> None:
    """The form; `on_save` gets the edited Part A once it validates (it runs as the button's callback)."""
    v = version()
    with st.form(f"parta-form-{v}", border=False):
        st.text_input(LABELS[("job_title",)], value=part_a.job_title or "", key=key(v, "job_title"), max_chars=200)
        st.text_area(LABELS[("duties",)], value="\n".join(d.text for d in part_a.duties), key=key(v, "duties"),
                     help="One duty a line.", height=140)
        st.text_area(LABELS[("industries",)], value="\n".join(i.name or "" for i in part_a.industries),
                     key=key(v, "industries"), help="What the employer makes or does; one a line, the main one first.",
                     height=68)
        st.text_area(LABELS[("summary",)], value=part_a.summary or "", key=key(v, "summary"), height=68)
        for field in LIST_FIELDS:
            st.text_area(LABELS[(field,)], value="\n".join(getattr(part_a, field)), key=key(v, field),
                         help="One a line.", height=68)
        for field in ("education", "training", "experience", "supervision_given", "supervision_received",
                      "work_setting"):
            st.text_input(LABELS[(field,)], value=getattr(part_a, field) or "", key=key(v, field))
        st.number_input(LABELS[("number_of_workers",)], min_value=0, value=part_a.number_of_workers or 0,
                        key=key(v, "number_of_workers"), help="0: not given.")
        st.text_input(LABELS[("suggested_code",)], value=part_a.suggested_code or "", key=key(v, "suggested_code"),
                      placeholder="29-1141.00")
        st.markdown("**How to reach you** (never shown to a language model)")
        contact = part_a.contact
        for field in CONTACT_FIELDS:
            st.text_input(LABELS[("contact", field)], value=getattr(contact, field) or "", key=key(v, f"contact.{field}"))
        requesters = [NO_REQUESTER, *get_args(RequesterType)]
        st.selectbox(LABELS[("contact", "requester_type")], requesters, key=key(v, "contact.requester_type"),
                     index=requesters.index(contact.requester_type) if contact.requester_type else 0)
        st.form_submit_button("Save my answers", type="primary", disabled=disabled, on_click=_save,
                              args=(part_a, v, on_save))
    for message in st.session_state.get(ERRORS_KEY, []):
        st.error(escape_markdown(message), icon=":material/error:")
    if st.session_state.pop(SAVED_KEY, False):
        st.success("Saved.", icon=":material/check:")


def _save(before: PartA, v: int, on_save: Callable[[PartA], None]) -> None:
    values = {field: st.session_state.get(key(v, field)) for field in (
        *TEXT_FIELDS, *LIST_FIELDS, "duties", "industries", "number_of_workers",
        *(f"contact.{f}" for f in (*CONTACT_FIELDS, "requester_type")))}
    edited, errors = from_form(values, before)
    if edited is None:
        st.session_state[ERRORS_KEY] = errors
        return
    st.session_state.pop(ERRORS_KEY, None)
    try:
        on_save(edited)
    except Exception as exc:  # noqa: BLE001 - the customer's edit stays in the form; the message says why
        st.session_state[ERRORS_KEY] = [f"Your answers were not saved: {exc}"]
        return
    st.session_state[SAVED_KEY] = True
    refresh()


def from_form(values: dict[str, Any], before: PartA) -> tuple[PartA | None, list[str]]:
    """The edited Part A, or None and one plain message per item that does not validate."""

    def text(field: str) -> str | None:
        value = (values.get(field) or "").strip()
        return value or None

    def lines(field: str) -> list[str]:
        return [line.strip() for line in (values.get(field) or "").splitlines() if line.strip()]

    shares = {d.text: d.time_share for d in before.duties}
    naics = {i.name: i.naics for i in before.industries}
    requester = values.get("contact.requester_type")
    data: dict[str, Any] = {
        **{field: text(field) for field in TEXT_FIELDS},
        **{field: lines(field) for field in LIST_FIELDS},
        "duties": [{"text": line, "time_share": shares.get(line)} for line in lines("duties")],
        "industries": [{"name": line, "naics": naics.get(line)} for line in lines("industries")],
        "number_of_workers": int(values.get("number_of_workers") or 0) or None,
        "contact": {
            **before.contact.model_dump(exclude={"requester_type", *CONTACT_FIELDS}),
            **{field: text(f"contact.{field}") for field in CONTACT_FIELDS},
            "requester_type": None if requester in (None, NO_REQUESTER) else requester,
        },
    }
    try:
        return PartA.model_validate(data), []
    except ValidationError as exc:
        return None, [describe(error) for error in exc.errors()]


def describe(error: Any) -> str:
    """'E-mail: 'bob@' is not an e-mail address (...)' from one pydantic error."""
    loc = tuple(str(part) for part in error.get("loc", ()) if not isinstance(part, int))
    label = LABELS.get(loc) or LABELS.get(loc[:1]) or " ".join(loc).replace("_", " ").capitalize()
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{label}: {message}"

