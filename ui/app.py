"""OCA Assistant's Streamlit app: `streamlit run ui/app.py` (what `./run` starts)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Not "pages": Streamlit reads a pages/ folder beside the entry script as a legacy multipage app and
# would run those files without this script (no footer), whatever st.navigation says.
VIEWS_DIR = Path(__file__).parent / "views"

# `streamlit run ui/app.py` runs this file as a script with ui/ on the path; a checkout that is not
# installed finds the `ui`, `assistant` and `retrieval` packages at the repository's root.
REPO_ROOT = str(Path(__file__).resolve().parents[1])
if REPO_ROOT not in sys.path:
    sys.path.append(REPO_ROOT)

from ui import auth  # noqa: E402
from ui.footer import render_footer  # noqa: E402
from ui.markup import escape_markdown  # noqa: E402


def page(file: str, title: str, icon: str, **kwargs: object) -> st.Page:
    return st.Page(VIEWS_DIR / file, title=title, icon=icon, **kwargs)


def navigation_for(user: auth.SignedIn | None) -> dict[str, list[st.Page]]:
    """The pages this visitor may open: every page not listed here is unreachable, even by its URL."""
    sections: dict[str, list[st.Page]] = {
        "OCA Assistant": [
            page("chat.py", "Describe a job", ":material/chat:", default=True),
            page("find.py", "Find an occupation", ":material/travel_explore:"),
            page("my_submission.py", "My submission", ":material/description:"),
            page("code_job.py", "Quick code", ":material/bolt:"),
            page("occupation.py", "Occupation", ":material/badge:"),
        ],
    }
    if auth.is_reviewer(user):
        sections["Review"] = [
            page("review_queue.py", "Review queue", ":material/inbox:"),
            page("review.py", "Review a submission", ":material/rate_review:"),
            page("agreement.py", "Agreement check", ":material/balance:"),
        ]
    if auth.is_evaluator(user):
        sections["Quality"] = [page("evaluation.py", "Evaluation", ":material/monitoring:")]
    if auth.is_reviewer(user) or auth.is_evaluator(user):
        sections["Files"] = [page("batch.py", "Code a file", ":material/upload_file:")]
    account = "Account" if user is not None else "Staff sign-in"
    sections["Account"] = [page("signin.py", account, ":material/login:")]
    return sections


def show_signed_in(user: auth.SignedIn | None) -> None:
    if user is None:
        return
    st.sidebar.caption(f"Signed in as **{escape_markdown(user.name)}** ({escape_markdown(user.role)})")
    if st.sidebar.button("Sign out", key="app.sign_out", icon=":material/logout:"):
        auth.sign_out()
        st.rerun()


def run() -> None:
    st.set_page_config(page_title="OCA Assistant", page_icon=":material/work:", layout="wide")
    user = auth.current_user()
    current = st.navigation(navigation_for(user))
    next_page = st.session_state.pop(auth.NEXT_PAGE_KEY, None)
    if next_page is not None:
        st.switch_page(next_page)
    show_signed_in(user)
    current.run()
    render_footer()


if __name__ == "__main__":
    run()
