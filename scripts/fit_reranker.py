"""Fit the learned reranker (retrieval/reranker.json) on pseudo-queries made from O*NET itself.

Nothing here is fitted on the evaluation cases. The pseudo-queries are:
- title queries: alternate and reported titles of an occupation, held out of the index while fitting;
- description queries: bundles of an occupation's task statements, held out of the index while fitting, asked
  as their first task, first two and all four, and as the first task's opening words ("Clean offices", as a
  chat's customer first says what the work is: `short_statement`);
- residual description queries: the same bundles with their occupation taken out of the ranking, answered by
  its SOC group's "All Other" occupation (`pseudo --residual`);
- title + description queries: one held-out title with one held-out bundle of the same occupation;
- shared-title queries: a title several occupations list word for word, asked as it is with a held-out bundle
  of the answer, which is an occupation listing it or one listing a title that ends in it ("Drywall Installer"
  for "Installer"); for an "All Other" occupation listing it, the bundle is another occupation's of its group,
  taken out of the ranking (`pseudo --exact`).
Held-out items are removed from the title index, the BM25 documents and the dense hits (by document id),
so a query never meets itself. Each query's candidate pool (`rerank.gather`) is cached; fitting then takes
seconds. `--dev FILE` also caches pools of labelled case files through the normal engine, but only to
*measure* the fitted model (top-1/top-5 at SOC detailed before and after), never to fit it.

    python scripts/fit_reranker.py pseudo            # build the pseudo-query pools (a few minutes)
    python scripts/fit_reranker.py pseudo --residual # the "All Other" ones (under a minute)
    python scripts/fit_reranker.py pseudo --supervision  # a supervisor's task before its workers' tasks
    python scripts/fit_reranker.py pseudo --exact    # shared titles (about three minutes)
    python scripts/fit_reranker.py dev ../shared/eval/acs2009_dev.jsonl --fields title,industry
    python scripts/fit_reranker.py fit               # fit, write retrieval/reranker.json, report
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from retrieval import rank, rerank  # noqa: E402
from retrieval.engine import Engine, _State, _title_docs  # noqa: E402
from retrieval.lexical import OccupationBM25, TitleIndex  # noqa: E402
from retrieval.models import Query  # noqa: E402
from retrieval.normalize import normalize_title, text_tokens  # noqa: E402

CACHE = Path("/tmp/oca-rerank")
SEED = 7
TITLES_PER_OCCUPATION = 5
TASKS_PER_BUNDLE = 4
# A description query is asked with the first 1, 2 and all 4 tasks of its bundle: people describe a job in one
# sentence (a chat's opening) or in several (a form's duties).
BUNDLE_SIZES = (1, 2, TASKS_PER_BUNDLE)
# A task's opening words, as people first say what they do: up to the first clause that only qualifies the work
# (what for, how, such as), at most SHORT_WORDS words, without a dangling "and", "of", "the" at the end.
_QUALIFIER = re.compile(r";|:|\(|,? such as\b|\s(?:to|using|by|according to|in order|including|that|which|so that)\s",
                        re.IGNORECASE)
_DANGLING = re.compile(r"(?:[\s,]+(?:the|a|an|and|or|of|for|in|on|at|with|to|from|their|its|other|all|any))+[\s,.]*$",
                       re.IGNORECASE)
SHORT_WORDS = 6


class MaskedStore:
    """The vector store with some documents hidden: asks for a few more hits and drops the hidden ones."""

    def __init__(self, store, hidden: set[str]) -> None:
        self._store = store
        self._hidden = hidden

    def query(self, vectors, n, kinds=None, *, ids_only: bool = False):
        rows = self._store.query(vectors, n + 40, kinds, ids_only=ids_only)
        return [[h for h in row if h.id not in self._hidden][:n] for row in rows]

    def query_ids(self, vectors, n):
        out = []
        for ids, similarity in self._store.query_ids(vectors, n + 40):
            keep = [j for j, doc_id in enumerate(ids) if doc_id not in self._hidden][:n]
            out.append(([ids[j] for j in keep], similarity[keep]))
        return out

    def __getattr__(self, name):  # everything else (documents' texts, ...) as the store has it
        return getattr(self._store, name)


def choose_held_out(kb, rng: random.Random):
    """Per occupation: titles and task bundles to hold out."""
    titles: dict[str, list[str]] = {}
    bundles: dict[str, list[list[int]]] = {}
    for code in sorted(kb.occupations):
        occ = kb.occupations[code]
        own = normalize_title(occ.title)
        pool = list(dict.fromkeys(occ.reported_titles)) + [a.title for a in occ.alt_titles]
        pool = [t for t in dict.fromkeys(pool) if normalize_title(t) and normalize_title(t) != own]
        rng.shuffle(pool)
        # reported titles are what incumbents call their job: closest to a write-in, so favour them
        reported = set(occ.reported_titles)
        pool.sort(key=lambda t: t not in reported and rng.random() < 0.5)
        titles[code] = pool[:TITLES_PER_OCCUPATION]
        n_tasks = len(occ.tasks)
        if n_tasks >= 4:
            order = list(range(n_tasks))
            rng.shuffle(order)
            per = min(TASKS_PER_BUNDLE, n_tasks // 2)
            count = 2 if n_tasks >= 2 * per + 4 else 1
            bundles[code] = [sorted(order[i * per:(i + 1) * per]) for i in range(count)]
    return titles, bundles


def masked_engine(engine: Engine, kb, titles, bundles, descriptions: bool = False, profiles: bool = False) -> Engine:
    """The engine with the held-out titles and task bundles hidden; with `descriptions`, also the description of
    every occupation that has a bundle (`scripts/lead_check.py` asks with it); with `profiles`, the held-out tasks
    and those descriptions are also left out of the knowledge base the engine hands on, which the chat's
    clarifying questions are built from (`scripts/interactive_check.py`)."""
    st = engine._state
    code_index = {c: i for i, c in enumerate(st.codes)}
    held_norm = {(code_index[c], normalize_title(t)) for c, ts in titles.items() for t in ts}
    docs = [d for d in _title_docs(kb, code_index) if (d.code_index, d.normalized) not in held_norm]
    title_index = TitleIndex(docs, len(st.codes), st.titles.stems.verbs)
    documents = []
    statements = []
    hidden: set[str] = set()
    for code in st.codes:
        occ = kb.occupations[code]
        held_t = {normalize_title(t) for t in titles.get(code, [])}
        held_k = {i for b in bundles.get(code, []) for i in b}
        hide_description = descriptions and code in bundles
        parts = [occ.title] + ([] if hide_description else [occ.description])
        if hide_description:
            hidden.add(f"{code}:d")
        parts += [a.title for a in occ.alt_titles if normalize_title(a.title) not in held_t]
        parts += [r for r in occ.reported_titles if normalize_title(r) not in held_t]
        parts += [t.text for i, t in enumerate(occ.tasks) if i not in held_k]
        parts += occ.dwas
        documents.append(text_tokens(" ".join(parts)))
        statements.append([t.text for i, t in enumerate(occ.tasks) if i not in held_k] + list(occ.dwas))
        for i, r in enumerate(dict.fromkeys(occ.reported_titles)):
            if normalize_title(r) in held_t:
                hidden.add(f"{code}:r{i}")
        for i in held_k:
            hidden.add(f"{code}:k{i}")
    bm25 = OccupationBM25(documents)
    state = _State(st.manifest, st.release, st.codes, st.occupation_titles, st.soc_codes, st.taxonomy,
                   title_index, bm25, [frozenset(d) for d in documents],
                   rerank.supervision_words(statements, engine._statics.supervisor))
    shown = masked_profiles(kb, bundles, descriptions) if profiles else kb
    return Engine(state, MaskedStore(engine._store, hidden), engine._embedder, engine._kb_path, shown)


def masked_profiles(kb, bundles, descriptions: bool):
    """`kb` without the held-out tasks of each occupation (and, with `descriptions`, its description)."""
    occupations = {}
    for code, occ in kb.occupations.items():
        held = {i for b in bundles.get(code, []) for i in b}
        if held:
            occ = replace(occ, tasks=[t for i, t in enumerate(occ.tasks) if i not in held],
                          description="" if descriptions else occ.description)
        occupations[code] = occ
    return replace(kb, occupations=occupations)


def short_statement(task: str) -> str:
    """'Clean and polish floors in offices, using buffers.' -> 'Clean and polish floors in offices'."""
    head = " ".join(_QUALIFIER.split(task, maxsplit=1)[0].split()[:SHORT_WORDS])
    return _DANGLING.sub("", head).strip(" ,.") or task


def pool_of(engine: Engine, query: Query, hide: int | None = None) -> rerank.Pool:
    """The query's candidate pool; `hide` takes that occupation out of the ranking (its lowest score everywhere)."""
    channels, _, _, _ = engine._channels(query)
    if hide is not None:
        for name, values in channels.items():
            values = np.array(values, dtype=np.float32)
            values[hide] = values.min()
            channels[name] = values
    fused = rank.fuse(channels, rank.weights_for(query))
    pool = rerank.gather(channels, fused, overseer=lambda: engine._statics.overseer,
                         words=rerank.description_words(query.description))
    if rerank.model_key(rank.query_mode(query), pool).endswith(":shared"):  # as `Reranker.rerank` reads it
        pool = replace(pool, endings=engine._state.titles.endings(query.title))
    return pool


def build_pseudo(engine: Engine, out: Path, limit: int | None) -> None:
    kb = engine.kb
    rng = random.Random(SEED)
    titles, bundles = choose_held_out(kb, rng)
    started = time.perf_counter()
    masked = masked_engine(engine, kb, titles, bundles)
    print(f"masked index in {time.perf_counter() - started:.1f} s", flush=True)
    full_exact = engine._state.titles.exact
    code_index = {c: i for i, c in enumerate(engine.codes)}
    queries = []
    for code in sorted(kb.occupations):
        occ = kb.occupations[code]
        i = code_index[code]
        for t in titles.get(code, []):
            gold = {i} | set(full_exact.get(normalize_title(t), []))
            queries.append(("title", code, Query(title=t), gold, 1.0))
        tasks = [occ.tasks[k].text for b in bundles.get(code, []) for k in b]
        for b_no, bundle in enumerate(bundles.get(code, [])):
            text = " ".join(occ.tasks[k].text for k in bundle)
            for size in BUNDLE_SIZES:  # the bundle's first task, first two, ...: together they weigh one query
                part = " ".join(occ.tasks[k].text for k in bundle[:size])
                queries.append(("description", code, Query(description=part), {i}, 1.0 / len(BUNDLE_SIZES)))
            short = short_statement(occ.tasks[bundle[0]].text)  # weighs what one of the sizes does
            queries.append(("description", code, Query(description=short), {i}, 1.0 / len(BUNDLE_SIZES)))
            ts = titles.get(code, [])
            if ts:
                t = ts[b_no % len(ts)]
                gold = {i} | set(full_exact.get(normalize_title(t), []))
                queries.append(("title_description", code, Query(title=t, description=text), gold, 1.0))
        del tasks
    rng.shuffle(queries)
    if limit:
        queries = queries[:limit]
    print(f"{len(queries)} pseudo-queries", flush=True)
    rows = []
    for n, (mode, code, query, gold, share) in enumerate(queries):
        rows.append({"mode": mode, "code": code, "pool": pool_of(masked, query), "gold": sorted(gold),
                     "share": share})
        if n % 500 == 0:
            print(f"  {n} ({time.perf_counter() - started:.0f} s)", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


def residual_of(engine: Engine) -> dict[str, str]:
    """Each occupation's "All Other" occupation: the one of its SOC broad group, else the only one of its
    minor group. SOC files a job that no detailed occupation of a group describes under that group's "All
    Other" code; O*NET gives those codes titles but no tasks."""
    st = engine._state
    residual = [i for i, t in enumerate(st.occupation_titles) if rerank.is_all_other(t)]
    out: dict[str, str] = {}
    for i, code in enumerate(st.codes):
        if i in residual:
            continue
        soc = st.soc_codes[i]
        same_broad = [r for r in residual if st.soc_codes[r][:6] == soc[:6]]
        same_minor = [r for r in residual if st.soc_codes[r][:4] == soc[:4]]
        chosen = same_broad if len(same_broad) == 1 else same_minor if len(same_minor) == 1 else []
        if chosen:
            out[code] = st.codes[chosen[0]]
    return out


def _draw(pairs: list[tuple[str, str]], rng: random.Random, limit: int | None
          ) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(source occupation, answer) pairs shuffled and cut to `limit`, and how many each answer got (each
    answer's queries share the weight of two bundles)."""
    rng.shuffle(pairs)
    pairs = pairs[: limit or len(pairs)]
    per_answer: dict[str, int] = {}
    for _, answer in pairs:
        per_answer[answer] = per_answer.get(answer, 0) + 1
    return pairs, per_answer


def build_pseudo_residual(engine: Engine, out: Path, limit: int | None) -> None:
    """Jobs that no detailed occupation describes: a held-out task bundle of an occupation asked with that
    occupation taken out of the ranking altogether, answered by its group's "All Other" occupation.
    Each such occupation's queries together weigh what two bundles of an occupation of its breadth do."""
    kb = engine.kb
    rng = random.Random(SEED)
    titles, bundles = choose_held_out(kb, rng)
    masked = masked_engine(engine, kb, titles, bundles)
    code_index = {c: i for i, c in enumerate(engine.codes)}
    residual = residual_of(engine)
    queries, per_residual = _draw([(code, residual[code]) for code in sorted(residual) if bundles.get(code)],
                                  rng, limit)
    print(f"{len(queries)} residual pseudo-queries for {len(per_residual)} 'All Other' occupations", flush=True)
    rows = []
    started = time.perf_counter()
    for n, (code, r) in enumerate(queries):
        occ = kb.occupations[code]
        first = bundles[code][0]
        texts = [" ".join(occ.tasks[k].text for k in first[:size]) for size in BUNDLE_SIZES]
        for text in texts + [short_statement(occ.tasks[first[0]].text)]:
            pool = pool_of(masked, Query(description=text), hide=code_index[code])
            rows.append({"mode": "description", "code": r, "pool": pool, "gold": [code_index[r]],
                         "share": 2.0 / per_residual[r] / len(BUNDLE_SIZES), "hidden": code})
        if n % 200 == 0:
            print(f"  {n} ({time.perf_counter() - started:.0f} s)", flush=True)
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


SUPERVISORY = re.compile(r"\b(supervis|direct|coordinat|assign|oversee)", re.I)


def build_pseudo_supervision(engine: Engine, out: Path, limit: int | None) -> None:
    """First-line supervisors described as the DOT and job posts describe them: one of the supervisor's held-out
    tasks (a supervisory one where its bundle has one), followed by held-out tasks of an occupation whose work
    it supervises (`rerank.supervisors`), answered by the supervisor, as SOC codes such a job. The worker's own
    occupation is in the ranking and competes. Each supervisor's queries together weigh two of its bundles."""
    kb = engine.kb
    rng = random.Random(SEED)
    titles, bundles = choose_held_out(kb, rng)
    masked = masked_engine(engine, kb, titles, bundles)
    st = engine._state
    overseer = engine._statics.overseer
    pairs, per_head = _draw([(st.codes[w], st.codes[h]) for w, h in enumerate(overseer.tolist())
                             if h >= 0 and bundles.get(st.codes[w]) and bundles.get(st.codes[h])], rng, limit)
    print(f"{len(pairs)} supervision pseudo-queries for {len(per_head)} supervisor occupations", flush=True)
    code_index = {c: i for i, c in enumerate(st.codes)}
    sizes = (1, 3)
    rows = []
    started = time.perf_counter()
    for n, (worker, head) in enumerate(pairs):
        held = [kb.occupations[head].tasks[k].text for b in bundles[head] for k in b]
        opening = rng.choice([t for t in held if SUPERVISORY.search(t)] or held)
        work = [kb.occupations[worker].tasks[k].text for k in bundles[worker][0]]
        for size in sizes:
            query = Query(description=" ".join([opening, *work[:size]]))
            rows.append({"mode": "description", "code": head, "pool": pool_of(masked, query),
                         "gold": [code_index[head]], "share": 2.0 / per_head[head] / len(sizes), "worker": worker})
        if n % 200 == 0:
            print(f"  {n} ({time.perf_counter() - started:.0f} s)", flush=True)
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


def build_pseudo_exact(engine: Engine, out: Path, limit: int | None) -> None:
    """Titles that several occupations list word for word, asked as they are (not held out), alone and, for every
    other pair, with a held-out task bundle: which occupation is meant, among those listing the title and those
    listing a longer title ending in it, is for the rest of the evidence (its breadth, a description) to tell."""
    kb = engine.kb
    rng = random.Random(SEED)
    titles, bundles = choose_held_out(kb, rng)
    masked = masked_engine(engine, kb, titles, bundles)
    st = engine._state
    held = {(c, normalize_title(t)) for c, ts in titles.items() for t in ts}
    shown: dict[str, str] = {}
    for doc in st.titles.docs:
        shown.setdefault(doc.normalized, doc.text)
    pairs = [(norm, st.codes[i]) for norm, listed in st.titles.exact.items() if len(listed) > 1
             for i in listed if (st.codes[i], norm) not in held]
    # Who says only "Installer" may be a drywall installer, whose occupation lists "Drywall Installer" but not
    # "Installer": the answer to a shared title is not always one of the occupations listing it. Such a person is
    # any occupation with a title that ends in the shared one.
    ending = st.titles.title_endings()
    pairs += [(norm, st.codes[i]) for norm, listed in st.titles.exact.items() if len(listed) > 1
              for i in sorted(ending.get(norm, set()) - set(listed))]
    rng.shuffle(pairs)
    pairs = pairs[: limit or 4000]
    # An "All Other" occupation that lists the title has no tasks to describe it with: its person describes work
    # like that of an occupation of its group, which is taken out of the ranking (as in `pseudo --residual`).
    siblings: dict[str, list[str]] = {}
    for code, residual in sorted(residual_of(engine).items()):
        if bundles.get(code):
            siblings.setdefault(residual, []).append(code)
    code_index = {c: i for i, c in enumerate(st.codes)}
    # such an occupation lists thousands of titles (its breadth weighs its queries when fitting): all its queries
    # together weigh what two bundles of an occupation of its breadth do, as in `pseudo --residual`
    per_residual: dict[str, int] = {}
    for n, (_, code) in enumerate(pairs):
        if n % 2 == 0 and not bundles.get(code) and siblings.get(code):
            per_residual[code] = per_residual.get(code, 0) + 1
    queries = []
    for n, (norm, code) in enumerate(pairs):
        title = shown[norm]
        source, hide, weight = code, None, 1.0
        if not bundles.get(code) and siblings.get(code):
            source = siblings[code][n % len(siblings[code])]
            hide = code_index[source]
            weight = 2.0 / per_residual.get(code, 1)
        occ_bundles = bundles.get(source, [])
        if occ_bundles and n % 2 == 0:
            # the duties said as a chat does (the first task's opening words) or a form does (one, two, four tasks)
            tasks = [kb.occupations[source].tasks[k].text for k in occ_bundles[n % len(occ_bundles)]]
            for text in [short_statement(tasks[0])] + [" ".join(tasks[:size]) for size in BUNDLE_SIZES]:
                queries.append(("title_description", code, Query(title=title, description=text),
                                weight / len(BUNDLE_SIZES), hide))
        queries.append(("title", code, Query(title=title), 1.0, None))
    print(f"{len(queries)} exact-title pseudo-queries", flush=True)
    rows = []
    started = time.perf_counter()
    for n, (mode, code, query, share, hide) in enumerate(queries):
        rows.append({"mode": mode, "code": code, "pool": pool_of(masked, query, hide=hide),
                     "gold": [code_index[code]], "exact": True, "share": share})
        if n % 500 == 0:
            print(f"  {n} ({time.perf_counter() - started:.0f} s)", flush=True)
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


def build_dev(engine: Engine, path: Path, fields: list[str], out: Path) -> None:
    """Pools of labelled cases through the normal engine: for measuring only."""
    code_index = {c: i for i, c in enumerate(engine.codes)}
    socs = engine._state.soc_codes
    rows = []
    for line in path.open():
        if not line.strip():
            continue
        case = json.loads(line)
        query = Query(**{f: case.get(f) for f in fields})
        if query.is_empty():
            continue
        gold_soc = {g if "." not in g else socs[code_index[g]] for g in case["gold"] if "." not in g or g in code_index}
        gold_code = {code_index[g] for g in case["gold"] if g in code_index}
        rows.append({"id": case["id"], "mode": rank.query_mode(query), "pool": pool_of(engine, query),
                     "gold_soc": sorted(gold_soc), "gold": sorted(gold_code)})
    with out.open("wb") as fh:
        pickle.dump(rows, fh)


def statics_of(engine: Engine) -> rerank.Statics:
    st = engine._state
    return rerank.build_statics(engine.codes, st.soc_codes, st.taxonomy, st.titles, st.vocab,
                               st.occupation_titles)


def training_rows(rows, key):
    """Pseudo-queries for one model (`rerank.model_key`). Held-out titles that other occupations list word for
    word are left out of both: their answer is never among the listing occupations, unlike a real query's."""
    out = []
    for row in rows:
        actual = rerank.model_key(row["mode"], row["pool"])
        if actual == key and (row.get("exact", False) == key.endswith(":shared")):
            out.append(row)
    return out


def fit_listwise(rows, statics, code_index: dict[str, int], lam: float) -> dict:
    """Linear scores with a softmax over each pool (the right occupation should take the probability mass),
    each query weighted by how many titles its occupation has: pseudo-queries are drawn per occupation, real
    jobs are not spread evenly over occupations, and the number of names an occupation goes by is O*NET's
    own measure of how widely it is held."""
    blocks = [rerank.features(r["pool"], statics) for r in rows]
    labels = [np.isin(r["pool"].index, r["gold"]).astype(np.float64) for r in rows]
    keep = [i for i, y in enumerate(labels) if y.any()]
    blocks = [blocks[i] for i in keep]
    labels = [labels[i] for i in keep]
    weights = np.array([np.expm1(statics.breadth[code_index[rows[i]["code"]]]) * rows[i].get("share", 1.0)
                        for i in keep], dtype=np.float64)
    weights /= weights.mean()
    X = np.vstack(blocks).astype(np.float64)
    y = np.concatenate(labels)
    seg = np.repeat(np.arange(len(blocks)), [b.shape[0] for b in blocks])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    Z = (X - mean) / scale
    nq = len(blocks)

    def objective(w):
        s = Z @ w
        top = np.full(nq, -np.inf)
        np.maximum.at(top, seg, s)
        e = np.exp(s - top[seg])
        den = np.bincount(seg, weights=e, minlength=nq)
        num = np.bincount(seg, weights=e * y, minlength=nq)
        loss = -(weights * (np.log(num) - np.log(den))).sum() / nq + lam * (w @ w) / 2
        push = e * y / num[seg] - e / den[seg]
        grad = -(Z.T @ (push * weights[seg])) / nq + lam * w
        return loss, grad

    result = minimize(objective, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return {"features": rerank.feature_names(), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": [round(float(c), 6) for c in result.x], "bias": 0.0, "n": nq}


def evaluate(rows, statics, socs, reranker: rerank.Reranker | None):
    """Top-1 and top-5 at SOC detailed (and top-1 at O*NET-SOC where the gold says) of fused or reranked pools."""
    top1 = top5 = n = 0
    top1_code = n_code = 0
    for row in rows:
        pool = row["pool"]
        order = pool.index
        if reranker is not None:
            s = reranker.score(rerank.features(pool, statics), rerank.model_key(row["mode"], pool))
            if s is not None:
                order = pool.index[np.argsort(-s, kind="stable")]
        gold_soc = set(row.get("gold_soc") or [socs[g] for g in row["gold"]])
        predicted = [socs[i] for i in order[:5]]
        n += 1
        top1 += predicted[0] in gold_soc
        top5 += any(p in gold_soc for p in predicted)
        if row["gold"]:
            n_code += 1
            top1_code += int(order[0]) in set(row["gold"])
    return {"n": n, "top1": round(top1 / max(n, 1), 4), "top5": round(top5 / max(n, 1), 4),
            "top1_code": round(top1_code / n_code, 4) if n_code else None}


# Every model `rerank.model_key` can ask for. On held-out O*NET titles the title models barely beat the fixed fusion
# (title) or lost to it (title:shared), so titles keep the fused order; a title one occupation lists (":exact")
# is that occupation's, and its pseudo-queries are left out (`training_rows`), so nothing fits those models.
# What ships: descriptions, and a title several occupations list with a description to tell which is meant.
MODELS = ("title", "title:shared", "description", "title_description", "title_description:shared")
SHIPPED = ("description", "title_description:shared")
# L2 penalty on the standardised coefficients, per model; other models take --lam. title_description:shared at
# 0.003 / 0.03 / 0.3 / 1 / 3: top-1 0.597 / 0.593 / 0.581 / 0.553 / 0.515 on the held-out occupations' shared-title
# queries (0.426 fused), which are built like its training queries; 30 / 31 / 34 / 34 / 31 right of 41 chat-like
# pairs written for the check (a generic title and one sentence of duties: "Technician", "I take x-rays of
# patients"; 26 fused). 0.3 keeps most of the first and the best of the second.
LAMBDAS = {"title_description:shared": 0.3}


def fit(engine: Engine, cache: Path, lam: float, out: Path | None, models: tuple[str, ...] = SHIPPED) -> None:
    statics = statics_of(engine)
    socs = engine._state.soc_codes
    code_index = {c: i for i, c in enumerate(engine.codes)}
    pseudo = []
    for name in ("pseudo.pkl", "pseudo-exact.pkl", "pseudo-residual.pkl", "pseudo-supervision.pkl"):
        if (cache / name).is_file():
            with (cache / name).open("rb") as fh:
                pseudo += pickle.load(fh)
    # a fifth of the occupations is kept back to check each model on O*NET before it is fitted on all
    check_codes = {c for c in engine.codes if zlib.crc32(c.encode()) % 5 == 0}
    modes = {}
    for key in models:
        rows = training_rows(pseudo, key)
        if not rows:
            continue
        lam_key = LAMBDAS.get(key, lam)
        trial = rerank.Reranker({"modes": {key: fit_listwise([r for r in rows if r["code"] not in check_codes],
                                                             statics, code_index, lam_key)}})
        check = [r for r in rows if r["code"] in check_codes]
        print(f"{key}: {len(rows)} pseudo-queries; held-out occupations: fused {evaluate(check, statics, socs, None)}"
              f" reranked {evaluate(check, statics, socs, trial)}", flush=True)
        modes[key] = fit_listwise(rows, statics, code_index, lam_key)
    reranker = rerank.Reranker({"modes": modes})
    for path in sorted(cache.glob("dev-*.pkl")):  # measured only
        with path.open("rb") as fh:
            rows = pickle.load(fh)
        print(f"{path.stem}: fused {evaluate(rows, statics, socs, None)} reranked "
              f"{evaluate(rows, statics, socs, reranker)}", flush=True)
    if out is not None:
        out.write_text(json.dumps({
            "note": ("Linear reranker over rerank.feature_names(), one model per rerank.model_key; fitted by "
                     "scripts/fit_reranker.py on O*NET pseudo-queries (held-out titles and task bundles)."),
            "lambda": {key: LAMBDAS.get(key, lam) for key in modes}, "modes": modes}) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pseudo")
    p.add_argument("--limit", type=int)
    p.add_argument("--exact", action="store_true", help="titles several occupations list, not held out")
    p.add_argument("--residual", action="store_true", help="bundles of an occupation taken out of the ranking, "
                   "answered by its group's 'All Other' occupation")
    p.add_argument("--supervision", action="store_true", help="a supervisor's task followed by tasks of the "
                   "workers it supervises, answered by the supervisor")
    d = sub.add_parser("dev")
    d.add_argument("path", type=Path)
    d.add_argument("--fields", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--lam", type=float, default=0.003, help="L2 penalty on the standardised coefficients")
    f.add_argument("--out", type=Path, default=ROOT / "retrieval" / "reranker.json")
    f.add_argument("--dry-run", action="store_true")
    f.add_argument("--models", default=",".join(SHIPPED), help=f"which of {', '.join(MODELS)} to fit")
    ap.add_argument("--cache", type=Path, default=CACHE)
    args = ap.parse_args()
    engine = build_engine(Settings(), progress=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.command == "pseudo":
        if args.exact:
            build_pseudo_exact(engine, args.cache / "pseudo-exact.pkl", args.limit)
        elif args.supervision:
            build_pseudo_supervision(engine, args.cache / "pseudo-supervision.pkl", args.limit)
        elif args.residual:
            build_pseudo_residual(engine, args.cache / "pseudo-residual.pkl", args.limit)
        else:
            build_pseudo(engine, args.cache / "pseudo.pkl", args.limit)
        return 0
    if args.command == "dev":
        fields = [x.strip() for x in args.fields.split(",")]
        build_dev(engine, args.path, fields, args.cache / f"dev-{args.path.stem}-{'+'.join(fields)}.pkl")
        return 0
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        ap.error(f"unknown model(s) {unknown}; known: {', '.join(MODELS)}")
    fit(engine, args.cache, args.lam, None if args.dry_run else args.out, models)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
