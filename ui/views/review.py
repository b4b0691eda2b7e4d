"""The review screen: one submission's Part A, its draft Part B, the engine's candidates with their evidence,
and the analyst's decision (approve, change the code, reject, ask the customer), comments and history."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from assistant import review
from assistant.lifecycle import CHANGE_REASONS, REVIEW_STATES
from assistant.parta import PartA
from retrieval.errors import OcaError
from ui import auth, state
from ui.markup import escape_markdown
from ui.reviewing import QUEUE_PAGE, REFERENCE_KEY, STATE_LABELS, pick_occupation, stamp
from ui.submission import show_candidates, show_draft, show_part_a

PICK_KEY = "review.pick"
DECISION_KEY = "review.decision"
SEARCH_KEY = "review.change_search"
NEW_CODE_KEY = "review.change_code"
REASON_KEY = "review.change_reason"
NOTE_KEY = "review.change_note"
REJECT_KEY = "review.reject_reason"
QUESTION_KEY = "review.question"
COMMENT_KEY = "review.comment"
DONE_KEY = "review.done"  # a message about the decision just made, shown once after the rerun

DECISIONS = {
    "approve": "Approve the draft's code",
    "change": "Change the code",
    "reject": "Reject",
    "ask": "Ask the customer for more information",
}
NO_SUBMISSION = "Choose a submission in the review queue, or type its reference."


def render() -> None:
    st.title("Review a submission")
    analyst = auth.require_reviewer()
    if analyst is None:
        return
    store = state.open_store()
    if store is None:
        return
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(escape_markdown(done))

    reference = choose_reference()
    if not reference:
        st.info(NO_SUBMISSION)
        return
    try:
        submission = store.get(reference)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if submission is None:
        st.error(escape_markdown(f"There is no submission {reference}. Check the reference, or pick one in the queue."))
        return

    st.header(escape_markdown(f"{submission.reference} · {submission.job_title or '(no job title)'}"))
    st.caption(escape_markdown(
        f"State: {STATE_LABELS.get(submission.state, submission.state)} · submitted "
        f"{stamp(submission.submitted_at) or '—'} · created {stamp(submission.created_at)}"))
    part_a = read_part_a(submission.part_a)
    engine = state.open_engine()

    tab_a, tab_b, tab_candidates, tab_history = st.tabs(["Part A", "Draft Part B", "Candidates and evidence",
                                                         "Comments and history"])
    with tab_a:
        if part_a is not None:
            show_part_a(part_a)
    with tab_b:
        show_draft(submission.draft)
    with tab_candidates:
        if part_a is not None and engine is not None:
            show_candidates(engine, part_a)
    with tab_history:
        show_comments(store, submission.reference, analyst.name)
        show_audit(store, submission.reference)

    st.divider()
    if submission.state in REVIEW_STATES:
        decide(store, engine, submission, analyst.name)
    else:
        show_outcome(submission)


def choose_reference() -> str:
    """The submission to show: the one sent from the queue, or a reference typed here."""
    sent = st.session_state.get(REFERENCE_KEY)
    if sent and st.session_state.get(PICK_KEY) != sent:
        st.session_state[PICK_KEY] = sent
    typed = st.text_input("Reference", key=PICK_KEY, placeholder="OCA-7K3P-Q9XD").strip().upper()
    st.session_state[REFERENCE_KEY] = typed
    if not typed:
        st.page_link(QUEUE_PAGE, label="Open the review queue", icon=":material/inbox:")
    return typed


def read_part_a(data: dict | None) -> PartA | None:
    if not data:
        st.warning("This submission has no Part A yet.")
        return None
    try:
        return PartA.model_validate(data)
    except ValidationError as exc:
        st.error(escape_markdown(f"The stored Part A cannot be read: {exc.error_count()} problem(s), "
                                 f"first: {exc.errors()[0]['msg']}"))
        return None


def decide(store: object, engine: object | None, submission: object, analyst: str) -> None:
    st.subheader("Decision")
    draft_code = getattr(submission, "code", None)
    choice = st.radio("Decision", list(DECISIONS), key=DECISION_KEY, format_func=DECISIONS.get, horizontal=True,
                      label_visibility="collapsed")
    reference = submission.reference  # type: ignore[attr-defined]
    if choice == "approve":
        if not draft_code:
            st.warning("The draft has no code to approve: change the code instead.")
            return
        draft = getattr(submission, "draft", None) or {}
        title = draft.get("title") if draft.get("code") == draft_code else None
        label = f"Approve {draft_code}" + (f" {title}" if title else "")
        if st.button(escape_markdown(label), type="primary", key="review.approve"):
            act(store, engine, reference, analyst, "approve", f"Approved {draft_code}.")
    elif choice == "change":
        code = pick_occupation(engine, SEARCH_KEY, NEW_CODE_KEY)
        reason = st.selectbox("Why", list(CHANGE_REASONS), key=REASON_KEY, format_func=CHANGE_REASONS.get)
        note = st.text_area("Note (optional)", key=NOTE_KEY, max_chars=2000)
        if st.button("Change the code", type="primary", key="review.change", disabled=code is None):
            if code == draft_code:
                st.warning("That is the draft's code: approve it instead.")
                return
            act(store, engine, reference, analyst, "change", f"Changed the code to {code}.",
                code=code, reason_category=reason, note=note)
    elif choice == "reject":
        reason = st.text_area("Why is it rejected? (the customer sees this)", key=REJECT_KEY, max_chars=2000)
        if st.button("Reject", type="primary", key="review.reject"):
            if not reason.strip():
                st.warning("Say why it is rejected.")
                return
            act(store, engine, reference, analyst, "reject", "Rejected.", reason=reason)
    else:
        question = st.text_area("Your question (it appears in the customer's chat)", key=QUESTION_KEY,
                                max_chars=2000)
        if st.button("Send the question", type="primary", key="review.ask"):
            if not question.strip():
                st.warning("Write the question for the customer.")
                return
            act(store, engine, reference, analyst, "ask", "The question was sent to the customer.",
                question=question)


def act(store: object, engine: object | None, reference: str, analyst: str, decision: str, done: str,
        **details: object) -> None:
    try:
        review.decide(store, reference, analyst, decision, engine=engine, **details)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    for key in (DECISION_KEY, SEARCH_KEY, NEW_CODE_KEY, REASON_KEY, NOTE_KEY, REJECT_KEY, QUESTION_KEY):
        st.session_state.pop(key, None)
    st.session_state[DONE_KEY] = f"{reference}: {done}"
    st.rerun()


def show_outcome(submission: object) -> None:
    st.subheader("Outcome")
    state_name = submission.state  # type: ignore[attr-defined]
    st.markdown(escape_markdown(f"{STATE_LABELS.get(state_name, state_name)}"
                                + (f" by {submission.decided_by}" if submission.decided_by else "")  # type: ignore[attr-defined]
                                + (f" on {stamp(submission.decided_at)}" if submission.decided_at else "")))  # type: ignore[attr-defined]
    if submission.code:  # type: ignore[attr-defined]
        st.markdown(escape_markdown(f"Code: {submission.code}"))  # type: ignore[attr-defined]
    if submission.question:  # type: ignore[attr-defined]
        st.markdown(escape_markdown(f"Question to the customer: {submission.question}"))  # type: ignore[attr-defined]
    if submission.decision_reason:  # type: ignore[attr-defined]
        st.markdown(escape_markdown(f"Reason: {submission.decision_reason}"))  # type: ignore[attr-defined]


def show_comments(store: object, reference: str, analyst: str) -> None:
    st.subheader("Comments")
    for comment in store.comments(reference):  # type: ignore[attr-defined]
        st.markdown(f"**{escape_markdown(comment.author)}** · {escape_markdown(stamp(comment.at))}  \n"
                    f"{escape_markdown(comment.text)}")
    with st.form("review.comment_form", clear_on_submit=True):
        text = st.text_area("Add a comment (analysts only)", key=COMMENT_KEY, max_chars=4000)
        if st.form_submit_button("Add comment"):
            if not text.strip():
                st.warning("Write the comment first.")
            else:
                try:
                    store.add_comment(reference, analyst, text)  # type: ignore[attr-defined]
                except OcaError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()


def show_audit(store: object, reference: str) -> None:
    st.subheader("History")
    entries = store.audit(reference)  # type: ignore[attr-defined]
    st.dataframe(pd.DataFrame([{
        "when": stamp(e.at), "who": e.actor, "from": e.from_state or "", "to": e.to_state,
        "code before": e.code_before or "", "code after": e.code_after or "", "reason": e.reason or "",
        "engine": e.engine_version or "", "O*NET": e.onet_release or "",
    } for e in entries]), hide_index=True)


if __name__ == "__main__":
    render()
