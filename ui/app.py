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

from ui.footer import render_footer  # noqa: E402


def run() -> None:
    st.set_page_config(page_title="OCA Assistant", page_icon=":material/work:", layout="wide")
    page = st.navigation(
        {
            "OCA Assistant": [
                st.Page(VIEWS_DIR / "chat.py", title="Describe a job", icon=":material/chat:", default=True),
                st.Page(VIEWS_DIR / "find.py", title="Find an occupation", icon=":material/travel_explore:"),
                st.Page(VIEWS_DIR / "my_submission.py", title="My submission", icon=":material/description:"),
                st.Page(VIEWS_DIR / "code_job.py", title="Quick code", icon=":material/bolt:"),
                st.Page(VIEWS_DIR / "occupation.py", title="Occupation", icon=":material/badge:"),
            ],
            "Quality": [
                st.Page(VIEWS_DIR / "evaluation.py", title="Evaluation", icon=":material/monitoring:"),
            ],
        }
    )
    page.run()
    render_footer()


if __name__ == "__main__":
    run()
