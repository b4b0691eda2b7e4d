"""Describe a job: a chat that fills in OCA Part A one question at a time, with the closest occupations beside it.

Nothing the customer says is lost: the request is created with the first message, each message is saved
before any model reads it and the reply after, and the reference and its private token sit in the URL
(`?ref=...&token=...`), so a reload, a crash or a later visit opens the same conversation. A message saved
but not answered (the app stopped in between) is answered when the request is opened again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from assistant import conversation as talk
from assistant.lifecycle import CUSTOMER_STATES, FINAL_STATES
from assistant.llm import LLMError
from assistant.parta import PartA
from assistant.rerank import profile_index
from assistant.review import CUSTOMER_MESSAGES, submit
from assistant.store import NotFound
from retrieval.errors import OcaError
from ui import customer, parta_form, state
from ui.markup import escape_markdown, escape_paragraphs
from ui.views.code_job import evidence_line

if TYPE_CHECKING:
    from assistant.llm import LLM
    from assistant.store import Store, Submission
    from retrieval.engine import Engine
    from retrieval.models import Candidate

CANDIDATES_SHOWN = 5
EVIDENCE_SHOWN = 4
INPUT_KEY = "chat.input"
TITLE_GREETING = ("You are describing a job titled “{title}” (change it in Your answers if it is not right). "
                  + talk.ITEM_QUESTIONS["duties"])
BAD_LINK = ("This link does not open a request: check that you copied all of it, or open My submission and give "
            "the reference with the e-mail address you gave us.")
SENT = "Sent for review. Your reference is {reference}."
NOT_READY = "Tell the assistant the job title or its duties first; then you can send it for review."


def render() -> None:
    st.title("Describe a job")
    st.caption("Tell the assistant about a job in your own words. It asks one thing at a time, shows the "
               "occupations that fit so far, and keeps your answers as OCA Part A, which you can correct at any time.")
    engine = state.open_engine()
    if engine is None:
        return
    store = state.open_store()
    if store is None:
        return
    llm, llm_problem = customer.get_llm()
    if llm_problem:
        st.warning(escape_markdown(f"Working without a language model: {llm_problem}"))

    try:
        submission, conv = open_request(store)
    except NotFound:
        st.error(BAD_LINK)
        st.button("Start a new request", key="chat.restart-bad-link", on_click=customer.forget_request)
        return

    editable = submission is None or submission.state in CUSTOMER_STATES
    prompt = st.chat_input("Describe the job, or answer the question", key=INPUT_KEY, disabled=not editable)
    left, right = st.columns([3, 2], gap="large")
    with left:
        for message in conv.messages:
            with st.chat_message(message.get("role", "assistant")):
                st.markdown(escape_paragraphs(message.get("content", "")))
        if editable and submission is not None and conv.messages and conv.messages[-1].get("role") == "user":
            unanswered = conv.model_copy(deep=True)
            text = unanswered.messages.pop()["content"]
            conv = answer_or_say_why(store, submission.reference, unanswered, text, engine, llm, conv)
        if prompt and editable:
            try:
                submission = ensure_submission(store, submission)
                with st.chat_message("user"):
                    st.markdown(escape_paragraphs(prompt))
                save(store, submission.reference, with_message(conv, prompt))
            except OcaError as exc:
                st.error(escape_markdown(f"Your message was not saved ({exc}). Here it is, to copy: {prompt}"))
            else:
                conv = answer_or_say_why(store, submission.reference, conv, prompt, engine, llm,
                                         with_message(conv, prompt))
        notice = st.session_state.pop(customer.NOTICE_KEY, None)
        if notice:
            st.caption(escape_markdown(notice))
    with right:
        submission = show_status(store, submission, conv, engine, llm)
        editable = submission is None or submission.state in CUSTOMER_STATES
        candidates, answers = st.tabs(["Closest occupations", "Your answers (Part A)"])
        with candidates:
            show_candidates(current_candidates(conv, engine, submission))
        with answers:
            parta_form.render(conv.part_a, disabled=not editable,
                              on_save=lambda edited: save_part_a(edited, conv))
    # Everything is drawn: now read the release's profiles that clarifying questions use (seconds, once per
    # process), so the customer's first message does not wait for them.
    profile_index(engine.kb)


# ----- the request and its conversation ----------------------------------------------------------------

def open_request(store: Store) -> tuple[Submission | None, talk.Conversation]:
    """The request this session (or the URL's private link) holds, with its saved conversation; else a new
    conversation that is saved once the customer says something."""
    title = st.query_params.get(customer.TITLE_PARAM)
    if title:  # a new request for this title; one held before stays saved under its own link
        customer.forget_request()
        st.query_params.pop(customer.TITLE_PARAM, None)
        st.session_state[customer.CONVERSATION_KEY] = new_conversation(" ".join(title.split())[:200])
        parta_form.refresh()
    held = customer.requested()
    if held is None:
        conv = st.session_state.get(customer.CONVERSATION_KEY)
        if conv is None:
            conv = st.session_state[customer.CONVERSATION_KEY] = new_conversation(None)
        return None, conv
    reference, secret = held
    submission = store.get_for_customer(reference, secret)
    if st.session_state.get(customer.REFERENCE_KEY) != submission.reference:
        parta_form.refresh()  # another request than the form showed
    customer.hold_request(submission.reference, secret)
    if submission.conversation:
        conv = talk.Conversation.model_validate(submission.conversation)
    else:
        conv = st.session_state.get(customer.CONVERSATION_KEY) or talk.start()
    if submission.part_a is not None:
        conv.part_a = PartA.model_validate(submission.part_a)
    return submission, conv


def new_conversation(title: str | None) -> talk.Conversation:
    conv = talk.start()
    if title:
        conv.part_a = conv.part_a.model_copy(update={"job_title": title})
        conv.pending_item = "duties"
        conv.asked.append("job_title")
        conv.messages.append({"role": "assistant", "content": TITLE_GREETING.format(title=title)})
    return conv


def ensure_submission(store: Store, submission: Submission | None) -> Submission:
    if submission is not None:
        return submission
    created = store.create_submission()
    customer.hold_request(created.reference, created.access_token or "")
    st.session_state.pop(customer.CONVERSATION_KEY, None)
    return created


def save(store: Store, reference: str, conv: talk.Conversation) -> None:
    store.save_conversation(reference, conv.model_dump(mode="json"), conv.part_a.model_dump(mode="json"))


def with_message(conv: talk.Conversation, text: str) -> talk.Conversation:
    """The conversation with the customer's message added, as it is saved before anything answers it."""
    pending = conv.model_copy(deep=True)
    pending.messages.append({"role": "user", "content": " ".join(text.split())})
    return pending


def answer_or_say_why(store: Store, reference: str, conv: talk.Conversation, text: str, engine: Engine,
                      llm: LLM | None, kept: talk.Conversation) -> talk.Conversation:
    """`answer`, or, when answering fails, the saved conversation (`kept`) and a message saying so."""
    try:
        return answer(store, reference, conv, text, engine, llm)
    except OcaError as exc:
        st.error(escape_markdown(f"Your message is saved, but it could not be answered: {exc} "
                                 "I will try again the next time the page loads."))
        return kept


def answer(store: Store, reference: str, conv: talk.Conversation, text: str, engine: Engine,
           llm: LLM | None) -> talk.Conversation:
    """One turn: the offline reply, reworded by the model as it streams when one is configured; any model
    failure shows the offline reply and one sentence saying so."""
    try:
        result = talk.turn(conv, text, engine, llm)
        notice = result.notice  # a model step failed: the turn went on offline, and so does the reply
    except LLMError as exc:
        result, notice = talk.turn(conv, text, engine, None), exc.notice()
    reply = result.reply
    with st.chat_message("assistant"):
        if llm is not None and notice is None:
            from assistant.llm_tasks import stream_reply

            placeholder, chunks = st.empty(), []
            try:
                for chunk in stream_reply(llm, result.reply, result.conversation.part_a, result.candidates):
                    chunks.append(chunk)
                    placeholder.markdown(escape_paragraphs("".join(chunks)))
                reply = "".join(chunks)
            except LLMError as exc:
                notice = exc.notice()
                placeholder.markdown(escape_paragraphs(result.reply))
        else:
            st.markdown(escape_paragraphs(reply))
    updated = result.conversation
    if updated.messages and reply != result.reply:
        updated.messages[-1] = {"role": "assistant", "content": reply}
    save(store, reference, updated)
    if updated.part_a != conv.part_a:
        parta_form.refresh()
    st.session_state[customer.CANDIDATES_KEY] = (fingerprint(updated), result.candidates)
    if notice:
        st.session_state[customer.NOTICE_KEY] = notice
    return updated


def save_part_a(edited: PartA, conv: talk.Conversation) -> None:
    """The customer's corrections: kept in the conversation and saved at once (creating the request if needed)."""
    store = state.get_store()
    conv.part_a = edited
    submission = None
    held = customer.requested()
    if held is not None:
        submission = store.get_for_customer(*held)
    submission = ensure_submission(store, submission)
    save(store, submission.reference, conv)


# ----- the side panel --------------------------------------------------------------------------------------

def show_status(store: Store, submission: Submission | None, conv: talk.Conversation, engine: Engine,
                llm: LLM | None) -> Submission | None:
    """Where the request stands, how to come back to it, and the button that sends it for review."""
    if submission is None:
        st.caption("Your request is saved as soon as you write the first message.")
        return None
    token = st.session_state.get(customer.SECRET_KEY, "")
    link = customer.private_link(submission.reference, token) if "@" not in token else None
    if submission.state in CUSTOMER_STATES:
        if submission.state != "in_progress":
            st.warning(escape_markdown(CUSTOMER_MESSAGES[submission.state]), icon=":material/help:")
        ready = bool(conv.part_a.job_title or conv.part_a.duties or conv.part_a.summary)
        missing = [name for item, name in (("job_title", "the job title"), ("duties", "the duties"),
                                           ("industry", "the employer's business")) if not has(conv.part_a, item)]
        if missing and ready:
            st.caption(escape_markdown("A better match needs " + ", ".join(missing) + "."))
        if st.button("Send for review" if submission.state == "in_progress" else "Send again", type="primary",
                     key="chat.submit", disabled=not ready, icon=":material/send:",
                     help=None if ready else NOT_READY):
            try:
                submission = submit(store, submission.reference, engine, llm)
            except OcaError as exc:
                st.error(escape_markdown(f"It was not sent: {exc}"))
            else:
                st.rerun()
        if not ready:
            st.caption(NOT_READY)
    else:
        st.success(escape_markdown(SENT.format(reference=submission.reference)), icon=":material/task_alt:")
        st.caption(escape_markdown(CUSTOMER_MESSAGES[submission.state]))
        if submission.state in FINAL_STATES:
            st.page_link(customer.MY_SUBMISSION_PAGE, label="See the decision", icon=":material/description:",
                         query_params={customer.REF_PARAM: submission.reference, customer.TOKEN_PARAM: token}
                         if link else None)
    # Once sent, the way back is the one thing left to do here: shown in the open, not in a closed expander.
    where = st.container() if submission.state not in CUSTOMER_STATES else st.expander(
        escape_markdown(f"Your reference: {submission.reference}"))
    with where:
        if link:
            st.caption("Keep this private link to come back to your request and see the result:")
            st.code(link, language=None)
        else:
            st.caption("Come back with your reference and the e-mail address you gave us (My submission).")
        st.button("Start a new request", key="chat.restart", on_click=customer.forget_request,
                  icon=":material/add_comment:")
    return submission


def has(part_a: PartA, item: str) -> bool:
    if item == "industry":
        return bool(part_a.industries)
    if item == "duties":
        return bool(part_a.duties or part_a.summary)
    return bool(getattr(part_a, item))


def fingerprint(conv: talk.Conversation) -> str:
    return conv.part_a.model_dump_json() + f"|{len(conv.answers)}"


def current_candidates(conv: talk.Conversation, engine: Engine, submission: Submission | None) -> list[Candidate]:
    """The last turn's candidates; ranked again when Part A changed since (an edit, a reopened request)."""
    held = st.session_state.get(customer.CANDIDATES_KEY)
    if held is not None and held[0] == fingerprint(conv):
        return held[1]
    try:
        candidates = talk.rank(conv, engine)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return []
    st.session_state[customer.CANDIDATES_KEY] = (fingerprint(conv), candidates)
    return candidates


def show_candidates(candidates: list[Candidate]) -> None:
    if not candidates:
        st.info("The closest occupations appear here once you have said something about the job.")
        return
    st.caption("Confidence is the chance that a code is right, given what you said so far.")
    for candidate in candidates[:CANDIDATES_SHOWN]:
        label = f"{candidate.rank}. {candidate.title} — {candidate.code} · {candidate.confidence:.0%}"
        with st.expander(escape_markdown(label), expanded=candidate.rank == 1):
            st.progress(candidate.confidence, text=f"Confidence {candidate.confidence:.0%}")
            if candidate.evidence:
                st.markdown("\n".join(evidence_line(m) for m in candidate.evidence[:EVIDENCE_SHOWN]))
            else:
                st.caption("No single O\\*NET text stood out; the ranking comes from the combined channels.")
            st.page_link("views/find.py", label="Open its profile", icon=":material/badge:",
                         query_params={"occupation": candidate.code})


# st.Page runs this file as "__main__"; importing it (tests read its constants) draws nothing.
if __name__ == "__main__":
    render()
