"""What the customer's pages share: the session keys of the request in progress and the way into the chat."""

from __future__ import annotations

import streamlit as st

CHAT_PAGE = "views/chat.py"
MY_SUBMISSION_PAGE = "views/my_submission.py"

# st.session_state keys
PREFILL_TITLE_KEY = "chat.prefill_title"  # a title chosen on Find an occupation, for a new request
REFERENCE_KEY = "chat.reference"  # the submission this session is writing
TOKEN_KEY = "chat.token"  # its secret access token (the private link's `token`)
CONVERSATION_KEY = "chat.conversation"  # the Conversation being held, as saved after the last turn

# URL query parameters of a private link
REF_PARAM = "ref"
TOKEN_PARAM = "token"


def start_request(title: str) -> None:
    """Open the chat on a new request whose job title is `title` (the customer can still change it)."""
    for key in (REFERENCE_KEY, TOKEN_KEY, CONVERSATION_KEY):
        st.session_state.pop(key, None)
    st.session_state[PREFILL_TITLE_KEY] = title
    st.switch_page(CHAT_PAGE)
