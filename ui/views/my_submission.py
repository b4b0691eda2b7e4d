"""My submission: the customer's own request, opened by its private link (`?ref=...&token=...`) or by its reference
and the e-mail address given in Part A. Shows where it stands, the analyst's question when one was asked (answered
in the chat), and the final Part B once an analyst approved or changed the code."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from assistant import conversation as talk
from assistant.lifecycle import CUSTOMER_STATES
from assistant.parta import PartA
from assistant.review import Outcome, outcome
from assistant.store import NotFound
from retrieval.errors import OcaError
from ui import customer, state
from ui.markup import escape_markdown, escape_paragraphs  # noqa: F401 - tests render texts as the page does

REFERENCE_INPUT = "my_submission.reference"
EMAIL_INPUT = "my_submission.email"
ASK = "Open your request with the private link we gave you, or with its reference and the e-mail address in it."
BAD_EMAIL = "Give the e-mail address you gave us, like name@example.com."
STATE_NAMES = {
    "in_progress": "Not sent yet", "submitted": "Waiting for review", "drafted": "Waiting for review",
    "approved": "Approved", "changed": "Code changed by an analyst", "rejected": "Not coded",
    "needs_information": "An analyst has a question", "returned_to_customer": "Sent back to you",
}


def render() -> None:
    st.title("My submission")
    store = state.open_store()
    if store is None:
        return
    held = customer.requested()
    if held is None:
        st.caption(escape_markdown(ASK))
        ask_for_reference()
        return
    try:
        submission = store.get_for_customer(*held)
    except NotFound as exc:
        customer.forget_request()
        st.error(escape_markdown(f"{str(exc).capitalize()}. Check the reference and the e-mail address, or the link."))
        ask_for_reference()
        return
    customer.hold_request(submission.reference, held[1])
    shown = outcome(submission, _engine_or_none())
    show_outcome(shown)
    if submission.state in CUSTOMER_STATES:
        label = "Continue in the chat" if submission.state == "in_progress" else "Answer in the chat"
        if st.button(label, type="primary", key="my_submission.chat", icon=":material/chat:"):
            st.switch_page(customer.CHAT_PAGE)
    if shown.part_b:
        show_part_b(shown)
    show_part_a(submission.part_a)
    st.button("Open another submission", key="my_submission.other", on_click=customer.forget_request)


def _engine_or_none() -> Any:
    """The engine only names a changed code's occupation; the page works without it."""
    try:
        engine = state.get_engine()
    except (OcaError, ValidationError):
        return None
    st.session_state[state.VERSIONS_KEY] = (engine.release, engine.engine_version)  # for the footer
    return engine


def ask_for_reference() -> None:
    with st.form("my_submission.open"):
        reference = st.text_input("Reference", key=REFERENCE_INPUT, placeholder="OCA-7K3P-Q9XD")
        email = st.text_input("E-mail address you gave us", key=EMAIL_INPUT, placeholder="name@example.com")
        opened = st.form_submit_button("Open", type="primary")
    if not opened:
        return
    reference, email = reference.strip(), email.strip()
    if not reference:
        st.error("Give the reference of your request (it looks like OCA-7K3P-Q9XD).")
        return
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        st.error(BAD_EMAIL)
        return
    customer.hold_request(reference.upper(), email)
    st.rerun()


def show_outcome(shown: Outcome) -> None:
    st.subheader(escape_markdown(f"{shown.reference} · {STATE_NAMES.get(shown.state, shown.state)}"))
    if shown.state in ("approved", "changed"):
        st.success(escape_markdown(shown.message), icon=":material/task_alt:")
    elif shown.state in ("needs_information", "returned_to_customer"):
        st.warning(escape_markdown(shown.message), icon=":material/help:")
    elif shown.state == "rejected":
        st.warning(escape_markdown(shown.message), icon=":material/block:")
    else:
        st.info(escape_markdown(shown.message))
    if shown.question:
        st.markdown("**The analyst asks:** " + escape_markdown(shown.question))
    if shown.reason:
        st.markdown("**Reason:** " + escape_markdown(shown.reason))


def show_part_b(shown: Outcome) -> None:
    part_b = shown.part_b or {}
    st.divider()
    st.subheader("Part B: the occupation")
    title = shown.title or part_b.get("title") or ""
    st.markdown("### " + escape_markdown(f"{shown.code} {title}".strip()))
    soc = part_b.get("soc") or {}
    groups = [soc.get(level) for level in ("major", "minor", "broad", "detailed") if soc.get(level)]
    if groups:
        st.caption(" › ".join(escape_markdown(f"{g['code']} {g['title']}") for g in groups))
    assigned = part_b.get("assigned") or {}
    proposed = part_b.get("changed_from") or assigned.get("engine_code")
    if proposed and proposed != shown.code:
        st.caption(escape_markdown(f"The draft had proposed {proposed}; an analyst chose this code."))
    for paragraph in part_b.get("rationale") or []:
        st.markdown(escape_paragraphs(paragraph))
    citations = part_b.get("citations") or []
    if citations:
        with st.expander(f"The evidence ({len(citations)})"):
            st.markdown("\n".join(
                f"- **{escape_markdown(c.get('id', ''))}** {escape_markdown(c.get('customer_text', ''))} → "
                f"{escape_markdown(c.get('onet_text', ''))}" for c in citations))
    runners = part_b.get("runners_up") or []
    if runners:
        with st.expander(f"Other occupations considered ({len(runners)})"):
            for runner in runners:
                st.markdown(f"**{escape_markdown(runner.get('code', ''))} {escape_markdown(runner.get('title', ''))}**")
                st.markdown("\n".join(f"- {escape_markdown(r)}" for r in runner.get("reasons") or []))
    if part_b.get("release"):
        st.caption(escape_markdown(f"Coded with {part_b['release']}."))


def show_part_a(part_a: dict[str, Any] | None) -> None:
    with st.expander("What you told us (Part A)"):
        try:
            lines = talk.understood(PartA.model_validate(part_a or {}))
        except ValidationError:
            lines = []
        if not lines:
            st.caption("Nothing yet.")
            return
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
