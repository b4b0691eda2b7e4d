"""What the customer's pages share: the session keys of the request in progress, the way into the chat, the
optional language model, and the private link that brings a customer back to a submission."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import streamlit as st

from assistant.settings import load_settings
from retrieval.errors import OcaError

if TYPE_CHECKING:
    from assistant.llm import LLM

CHAT_PAGE = "views/chat.py"
MY_SUBMISSION_PAGE = "views/my_submission.py"
MY_SUBMISSION_PATH = "my_submission"  # the page's URL path (st.Page's default: the file's name)

# st.session_state keys
REFERENCE_KEY = "chat.reference"  # the submission this session is writing
SECRET_KEY = "chat.secret"  # what opens it: its private-link token, or the e-mail given in Part A
CONVERSATION_KEY = "chat.conversation"  # the conversation before its first message is saved
CANDIDATES_KEY = "chat.candidates"  # (reference or None, the candidates of the last turn, with evidence)
NOTICE_KEY = "chat.notice"  # one sentence about the last turn (the model failed, a save failed)
SESSION_KEYS = (REFERENCE_KEY, SECRET_KEY, CONVERSATION_KEY, CANDIDATES_KEY, NOTICE_KEY)

# URL query parameters of a private link
REF_PARAM = "ref"
TOKEN_PARAM = "token"
TITLE_PARAM = "title"  # chat?title=...: start a new request with this job title (Find an occupation links here)


def forget_request() -> None:
    """This session stops holding a request (the request itself stays saved)."""
    for key in SESSION_KEYS:
        st.session_state.pop(key, None)
    st.query_params.pop(REF_PARAM, None)
    st.query_params.pop(TOKEN_PARAM, None)


def start_link(title: str) -> dict[str, str]:
    """The query parameters of a link to the chat that starts a new request with `title` as its job title.

    A link, not a button that switches page: Find an occupation binds its widgets to the URL, and a page
    switch made by the script would have to clear those parameters, which Streamlit refuses."""
    return {TITLE_PARAM: title}


def hold_request(reference: str, secret: str) -> None:
    """Keep `reference` as this session's request; a token (not an e-mail) also goes in the URL, so a reload
    or a bookmark comes back to it."""
    st.session_state[REFERENCE_KEY] = reference
    st.session_state[SECRET_KEY] = secret
    if "@" not in secret:
        st.query_params[REF_PARAM] = reference
        st.query_params[TOKEN_PARAM] = secret


def requested() -> tuple[str, str] | None:
    """The (reference, secret) this session holds, else the one in the URL's private link."""
    reference, secret = st.session_state.get(REFERENCE_KEY), st.session_state.get(SECRET_KEY)
    if reference and secret:
        return reference, secret
    reference, token = st.query_params.get(REF_PARAM), st.query_params.get(TOKEN_PARAM)
    if reference and token:
        return reference, token
    return None


def private_link(reference: str, token: str, path: str = MY_SUBMISSION_PATH) -> str:
    """The address that opens the submission again; absolute when the browser told us where the app is."""
    query = urlencode({REF_PARAM: reference, TOKEN_PARAM: token})
    url = getattr(st.context, "url", None) or ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/{path}?{query}"
    return f"/{path}?{query}"


@st.cache_resource(show_spinner=False)
def _llm_for(base_url: str | None, model: str | None) -> LLM | None:
    from assistant.llm import build_llm

    return build_llm(load_settings())


def get_llm() -> tuple[LLM | None, str | None]:
    """The configured language model (None: offline) and, when its settings are wrong, why it is not used."""
    current = load_settings()
    try:
        return _llm_for(current.llm_base_url, current.llm_model), None
    except OcaError as exc:
        return None, str(exc)
