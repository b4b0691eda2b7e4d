"""Staff sign-in: analysts, evaluators and admins sign in here; customers never need an account."""

from __future__ import annotations

import streamlit as st

from retrieval.errors import OcaError
from ui import auth, state
from ui.markup import escape_markdown

QUEUE_PAGE = "views/review_queue.py"
EVALUATION_PAGE = "views/evaluation.py"
CUSTOMER_NOTE = (
    "Customers do not need an account: describe your job without signing in, and come back to your "
    "submission with its private link, or with its reference and your e-mail."
)


def render() -> None:
    user = auth.current_user()
    if user is not None:
        st.title("Account")
        st.success(escape_markdown(f"Signed in as {user.name} ({user.role})."))
        if st.button("Sign out", key="signin.sign_out"):
            auth.sign_out()
            st.rerun()
        return

    st.title("Staff sign-in")
    st.caption(CUSTOMER_NOTE)
    with st.form("signin", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Name", key="signin.name", autocomplete="username")
        password = st.text_input("Password", type="password", key="signin.password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not name.strip() or not password:
        st.warning("Enter your name and your password.")
        return
    store = state.open_store()
    if store is None:
        return
    try:
        user = auth.sign_in(store, name, password)
    except OcaError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if user is None:
        st.error(auth.WRONG_CREDENTIALS)
        return
    # The navigation was built before this page ran, without this account's pages: start over, and let the
    # app open the account's first page once its navigation offers it.
    if auth.is_reviewer(user):
        st.session_state[auth.NEXT_PAGE_KEY] = QUEUE_PAGE
    elif auth.is_evaluator(user):
        st.session_state[auth.NEXT_PAGE_KEY] = EVALUATION_PAGE
    st.rerun()


if __name__ == "__main__":
    render()
