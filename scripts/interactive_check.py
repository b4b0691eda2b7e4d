"""The simulated customer of `oca eval --interactive`, on O*NET's own data: a check of the chat's questions that
needs no labelled case, so the chat can be tuned without touching the dev sets.

Every occupation with held-out task bundles (`fit_reranker.choose_held_out`, the reranker's own split) is
hidden from the index: those tasks, its held-out titles and its description. The knowledge base the chat
builds its questions from loses them too, so a question can never offer the customer's own sentence back. The
customer opens with the occupation's description and answers each question with the held-out task most
similar to it, as `eval.interactive.ScriptedCustomer` does with a case's sentences (no title, no industry).
Printed: top-1 and top-5 (SOC detailed) after 0, 1, 2, ... questions, the questions asked, turn latency.

    .venv/bin/python scripts/interactive_check.py [--limit N] [--questions N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import fit_reranker as fr  # noqa: E402
from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from eval.cases import Case  # noqa: E402
from eval.interactive import format_summary, run_interactive  # noqa: E402

SHUFFLE_SEED = 1  # which occupations --limit takes


def held_out_cases(kb, bundles) -> list[Case]:
    """One case an occupation with held-out tasks: its description, then those tasks (up to eight)."""
    cases = []
    for code in sorted(bundles):
        occ = kb.occupations[code]
        tasks = [occ.tasks[k].text for bundle in bundles[code] for k in bundle]
        text = " ".join([occ.description.strip(), *tasks])
        cases.append(Case(id=code, title=None, description=text, industry=None, gold=[code], gold_level="onetsoc",
                          source="onet held out"))
    random.Random(SHUFFLE_SEED).shuffle(cases)
    return cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="ask about N occupations only (a fixed shuffle)")
    ap.add_argument("--questions", type=int, default=2, help="questions the customer answers (default 2)")
    args = ap.parse_args()
    engine = build_engine(Settings(), progress=True, lay_titles=False)
    titles, bundles = fr.choose_held_out(engine.kb, random.Random(fr.SEED))
    masked = fr.masked_engine(engine, engine.kb, titles, bundles, descriptions=True, profiles=True)
    cases = held_out_cases(engine.kb, bundles)[: args.limit]
    started = time.perf_counter()
    summary, _ = run_interactive(masked, cases, args.questions, name="O*NET held-out occupations",
                                 sample=f"{len(cases)} held-out occupations")
    print(format_summary(summary))
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
