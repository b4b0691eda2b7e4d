"""How a one-word job title told with a description should weigh against it, checked on O*NET's own data.

Customers often give a generic title ("Manager", "Operator", "Technician") and say in the description which one.
Each occupation's first held-out title (`fit_reranker.choose_held_out`, as the reranker's pseudo-queries hold them
out) is cut to its last word and asked with one held-out task of the same occupation: the task's opening words
(`short_statement`, as a chat's first message says what the work is) and, apart, two whole held-out tasks. The
index is the one without those titles and tasks (`fit_reranker.masked_engine`), so no query meets itself. Top-1
and top-5 at SOC detailed are printed for the title channels at several shares and the description at 0.6 (as
beside a longer title) or at its full weight (`rank.ONE_WORD_TITLE_WITH_DESCRIPTION` sets what ships).

    python scripts/generic_title_check.py        # about two minutes on two cores
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fit_reranker import SEED, choose_held_out, masked_engine, short_statement  # noqa: E402

from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from retrieval import rank  # noqa: E402
from retrieval.models import Query  # noqa: E402
from retrieval.normalize import normalize_title  # noqa: E402

VARIANTS = [(1.0, 0.6), (0.0, 1.0), (0.1, 1.0), (0.25, 0.6), (0.25, 1.0), (0.4, 0.6), (0.4, 1.0), (0.6, 1.0)]


def queries(kb) -> tuple[list[tuple[str, str, Query]], dict[str, list[str]], dict[str, list[list[int]]]]:
    """(kind, code, query) for each occupation with a held-out title of two words or more and a task bundle, and the
    held-out titles and bundles (what the masked index leaves out)."""
    titles, bundles = choose_held_out(kb, random.Random(SEED))
    out = []
    for code in sorted(kb.occupations):
        heads = [normalize_title(t).split()[-1] for t in titles.get(code, []) if len(normalize_title(t).split()) > 1]
        if not heads or not bundles.get(code):
            continue
        tasks = [kb.occupations[code].tasks[k].text for k in bundles[code][0]]
        out.append(("opening words of a task", code, Query(title=heads[0], description=short_statement(tasks[0]))))
        out.append(("two tasks", code, Query(title=heads[0], description=" ".join(tasks[:2]))))
    return out, titles, bundles


def weights(title_share: float, description: float) -> dict[str, float]:
    """The weights of a one-word title with a description: title channels at `title_share`, description at
    `description`."""
    out = {k: v * title_share for k, v in {**rank.TITLE_WEIGHTS, **rank.ONE_WORD_TITLE_WEIGHTS}.items()}
    out.update({k: v * description for k, v in rank.DESCRIPTION_WEIGHTS.items()})
    return out


def main() -> int:
    engine = build_engine(Settings(), progress=True)
    asked, titles, bundles = queries(engine.kb)
    masked = masked_engine(engine, engine.kb, titles, bundles)
    ranked = []
    for kind, code, query in asked:
        query = masked._spelt(query)
        channels, _, _, _ = masked._channels(query, evidence=False)
        ranked.append((kind, engine.soc_of(code), query, channels))
    kinds = list(dict.fromkeys(kind for kind, *_ in asked))
    print(f"{len(asked)} queries (a one-word title with {' / '.join(kinds)}), top-1 / top-5 at SOC detailed")
    shipped = rank.weights_for(Query(title="Manager", description="I run a hotel."))
    for title_share, description in VARIANTS:
        w = weights(title_share, description)
        found = {kind: [0, 0, 0] for kind in kinds}
        for kind, gold, query, channels in ranked:
            fused = masked._rank(query, channels, None, None, w)
            socs = [engine.soc_of(engine.codes[i]) for i in np.argsort(-fused)[:5]]
            counts = found[kind]
            counts[0] += socs[0] == gold
            counts[1] += gold in socs
            counts[2] += 1
        mark = "  (ships)" if w == shipped else ""
        print(f"  titles x{title_share:<4} description x{description:<4} " + "   ".join(
            f"{kind}: {100 * a / n:.1f} / {100 * b / n:.1f}" for kind, (a, b, n) in found.items()) + mark)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
