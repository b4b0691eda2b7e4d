"""Who is using this browser session: nobody (a customer), or a signed-in analyst, evaluator or admin.

Staff accounts live in the store (`oca users add`); the app only keeps the signed-in name and role in
`st.session_state`, so a closed tab or a sign-out forgets them. Pages that show submissions call
`require_reviewer()` themselves as well as being left out of the navigation: a page must not rely on
the menu to keep a customer's submission private.
"""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st
from pydantic import BaseModel

from ui.markup import escape_markdown

Role = Literal["analyst", "evaluator", "admin"]

USER_KEY = "auth.user"  # st.session_state: the SignedIn staff member, absent for customers
NEXT_PAGE_KEY = "auth.next_page"  # the page to open once the navigation offers the signed-in account's pages
STAFF_PREFIXES = ("review.", "queue.", "agreement.", "evaluation.", "batch.")  # session keys staff pages own
REVIEWERS: frozenset[str] = frozenset({"analyst", "admin"})
EVALUATORS: frozenset[str] = frozenset({"evaluator", "admin"})

WRONG_CREDENTIALS = "That name and password do not match an account. Check both and try again."
NEEDS_SIGN_IN = "This page is for signed-in staff. Sign in with the account an administrator made for you."
NOT_ALLOWED = "Your account ({role}) cannot open this page; it is for {allowed}."


class SignedIn(BaseModel):
    name: str
    role: str


def current_user() -> SignedIn | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, SignedIn) else None


def is_reviewer(user: SignedIn | None) -> bool:
    return user is not None and user.role in REVIEWERS


def is_evaluator(user: SignedIn | None) -> bool:
    return user is not None and user.role in EVALUATORS


def sign_in(store: Any, name: str, password: str) -> SignedIn | None:
    """Check the password with the store; remember the account in this session when it matches.

    The store raises its own error (an OcaError with a message) when it refuses to check, e.g. after too
    many failures for this name; the caller shows that message.
    """
    user = store.authenticate(name.strip(), password)
    if not user:
        return None
    signed_in = SignedIn(name=user.name, role=str(user.role))
    st.session_state[USER_KEY] = signed_in
    return signed_in


def sign_out() -> None:
    """Forget the account and everything a staff page kept for it in this session."""
    for key in [k for k in st.session_state if k == USER_KEY or str(k).startswith(STAFF_PREFIXES)]:
        del st.session_state[key]



def require(allowed: frozenset[str], what: str) -> SignedIn | None:
    """The signed-in user when their role may see this page; otherwise None after saying why."""
    user = current_user()
    if user is None:
        st.error(NEEDS_SIGN_IN)
        return None
    if user.role not in allowed:
        st.error(escape_markdown(NOT_ALLOWED.format(role=user.role, allowed=what)))
        return None
    return user


def require_reviewer() -> SignedIn | None:
    return require(REVIEWERS, "analysts")


def require_evaluator() -> SignedIn | None:
    return require(EVALUATORS, "evaluators")
