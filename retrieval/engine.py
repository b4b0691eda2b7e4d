"""The coding engine: open or build the index, then turn a job's words into ranked O*NET-SOC occupations.

Evidence comes from several channels (fuzzy title matching, BM25 over occupations, titles matched
against the description, dense similarity of the query and of each description sentence to O*NET's
tasks, DWAs, titles and descriptions). `rank.fuse` combines them; `rank.confidence` turns the fused
scores into a calibrated probability.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import pickle
import re
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from filelock import FileLock
from tqdm import tqdm

from retrieval import confidence as conf
from retrieval import rank, rerank
from retrieval.embedder import Embedder, MiniLMEmbedder
from retrieval.errors import IndexError_
from retrieval.lexical import INCUMBENT_SOURCE, OccupationBM25, TitleDoc, TitleIndex
from retrieval.models import (SCHEMA_VERSION, Candidate, CodingResult, Match, Query, SearchHit, SocHierarchy,
                              SocLevel)
from retrieval.normalize import (EMPLOYER_SIZE_WORDS, STOPWORDS, clean_text, fold, normalize_title, text_tokens,
                                 title_tokens, uninvert)
from retrieval.onet import ONETSOC_RE, SOC_RE, KnowledgeBase, Taxonomy, load_release, normalize_code, task_verbs
from retrieval.spelling import Speller
from retrieval.vector_store import Hit, IndexDoc, VectorStore

SCHEMA = "12"  # bump when what is indexed, or how, changes: a different schema forces a rebuild
ENGINE_VERSION = f"0.1.0+s{SCHEMA}.{rank.FUSION_VERSION}.{conf.MODEL_VERSION}"
# All dense documents share one collection (one approximate-neighbour search per query); the kind of
# each document is kept in its id: "<code>:<letter><n>".
DENSE_COLLECTION_KIND = "onet"
DOC_KINDS = {"t": "title", "r": "title", "d": "description", "k": "task", "w": "dwa"}
SENTENCE_KINDS = ("task", "dwa")
_SENTENCE_SPLIT = re.compile(r"(?<=[.:;!?])\s+|\n+")
MAX_SENTENCES = 4
SENTENCE_POOL = 25
QUERY_POOL = 60  # dense hits for a whole-query vector (title, description)
# Title channels on which an approved lay title counts as the best match (see `_promote_lay_titles`).
LAY_TITLE_CHANNELS = ("title_support", "dense_title", "lexical_title")
EVIDENCE_READ_AHEAD = 6  # dense hits whose texts the evidence reads at once
DENSE_BATCH_HITS = 6000  # hits per batched vector-store call (SQLite caps a statement's variables)
LEAD_WEIGHT = 0.5  # the first sentence's ranking against the whole description's (`with_lead`)
LEAD_POOL = rank.SHARED_POOL  # candidates of each ranking that `with_lead` mixes
RANK_BATCH = 256  # jobs ranked together: their channels are held at once (~40 KB a job)
# The SOC's classification principles class apprentices and trainees with the occupation they are being trained
# for (helpers and aides on their own), as the BLS Direct Match Title File does ("Barber Apprentice": Barbers).
# Unread, the word pulls a title to whichever occupation lists it most: Helpers--Electricians, which lists
# "Electrician Apprentice" and a bare "Apprentice" ("Baker Apprentice" came first there).
LEARNER = re.compile(r"\b(?:apprentice|trainee)s?\b", re.IGNORECASE)
# A title that is nothing but the learner's word ("Apprentice", "Trainee"): the trade learnt is not named.
LEARNER_ONLY = re.compile(r"\W*" + LEARNER.pattern + r"\W*", re.IGNORECASE)
# A write-in often names the work instead of the worker ("TRUCK DRIVING", "HOUSEKEEPING", "ACCOUNTING"), while O*NET's
# titles name workers; the few titles that end in such a word are specific ("Pile Driving"), so the activity met
# them word for word ("TRUCK DRIVING" came out Pile Driver Operators). The word is read as the worker O*NET's titles
# name most often among its regular forms (`_doer`): driv-ing, driver; nurs-ing, nurse; cook-ing, cook; account-ing,
# accountant; supervis-ing, supervisor.
ACTIVITY = re.compile(r"\b([a-z]{3,}?)ing\b")
DOER_ENDINGS = ("", "e", "er", "or", "ant", "ist")
MIN_DOER_TITLES = 3  # occupations whose titles must end in the worker's word
MIN_JOINED_TITLES = 2  # listed titles that must write two words as one before a write-in's are joined
# The joints between a title's parts, kept by `re.split` (a comma inverts, `uninvert`: it joins no parts).
PART = re.compile(r"(\s*(?:\band\b|&|/|;|\+)\s*)", re.IGNORECASE)
# "Lead" that ends a title names a role, as "chief" and "head" do in the DOT: most often a first-line supervisor.
# Unread, it met O*NET's few titles about the metal ("LEAD" at a restaurant came out Metal-Refining Furnace Operators,
# "Team Lead" at a software company Team Assemblers).
LEAD_ROLE = re.compile(r"\blead(?:\s*(?:man|men|person|persons|people|worker|hand))?\s*$", re.IGNORECASE)
# Occupations are classified by the work performed (the SOC's second principle): an owner who names no other work
# runs the business, a manager's work. O*NET has almost no owner titles, and the one it lists bare ("Owner", under
# Urologists) pulled every owner write-in there ("CO-OWNER" at a metal business, "OWNER/OPERATOR" of a farm).
# "Owner-operator" is one phrase: the owner who runs the business day to day.
OWNER = re.compile(r"\b(?:(?:co|part)[\s-]?)?(?:owner|proprietor|proprietress)s?(?:\s*[-/&]?\s*operators?)?\b",
                   re.IGNORECASE)

# How the job is held, said before the title: "Part-time Cashier", "Self-employed Plumber", "Seasonal Farm Worker".
# It does not change the work (an occupation is what is done), and unread it weighs against the title's own words.
ARRANGEMENT = re.compile(r"^\s*(?:(?:part|full)[\s\-]?time|self[\s\-]?employed|freelance|free[\s\-]lance|seasonal|"
                         r"temporary|temp|per[\s\-]diem|on[\s\-]call)\b[\s,/\-]*",
                         re.IGNORECASE)


def _doer(word: str, heads: Mapping[str, int]) -> str | None:
    """The worker's word for an activity ("driving": "driver"), the regular form most occupations' titles end in, when
    at least `MIN_DOER_TITLES` occupations' titles and more than the activity's end in it; None otherwise."""
    found = ACTIVITY.fullmatch(word)
    if found is None:
        return None
    stem = found.group(1)
    forms = [stem + ending for ending in DOER_ENDINGS]
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":  # shipp-ing: ship, shipper
        forms += [stem[:-1] + ending for ending in DOER_ENDINGS]
    best = max(forms, key=lambda form: (heads.get(form, 0), -len(form)))
    return best if heads.get(best, 0) >= max(MIN_DOER_TITLES, heads.get(word, 0) + 1) else None


@dataclass
class _State:
    """What a warm start loads in one read instead of re-parsing the release."""

    manifest: dict
    release: str
    codes: list[str]
    occupation_titles: list[str]  # by code index
    soc_codes: list[str]  # by code index
    taxonomy: Taxonomy
    titles: TitleIndex
    occupations: OccupationBM25
    vocab: list[frozenset[str]]  # each occupation's words, for lexical evidence
    supervision_words: dict[str, float] = field(default_factory=dict)  # rerank.supervision_words
    # dense document id -> its text: the evidence shows the texts of the hits a search returns by id, and a read from
    # chroma cost about 3 ms a description (two reads); a state pickled before it has none, and reads them there
    doc_texts: dict[str, str] = field(default_factory=dict)


def _title_docs(kb: KnowledgeBase, code_index: dict[str, int]) -> list[TitleDoc]:
    soc_members: dict[str, list[str]] = {}
    specialty_names: dict[str, set[str]] = {}  # SOC code -> its specialties' own O*NET titles, normalised
    for occ in kb.occupations.values():
        soc_members.setdefault(occ.soc_code, []).append(occ.code)
        if not occ.code.endswith(".00"):
            specialty_names.setdefault(occ.soc_code, set()).add(normalize_title(occ.title))
    docs: list[TitleDoc] = []
    for occ in kb.occupations.values():
        seen: dict[str, int] = {}  # normalised title -> its document, whose sources a repeat adds to

        def add(kind: str, text: str, sources: frozenset[str] = frozenset()) -> None:
            norm = normalize_title(text)
            if not norm:
                return
            if norm in seen:
                first = docs[seen[norm]]
                docs[seen[norm]] = dataclasses.replace(first, sources=first.sources | sources)
                return
            seen[norm] = len(docs)
            docs.append(TitleDoc(code_index[occ.code], kind, text, norm, sources))

        add("title", occ.title)
        for alt in occ.alt_titles:
            sources = frozenset(s.strip() for s in alt.sources.split(",") if s.strip())
            add("alternate_title", alt.title, sources)
            if alt.short_title:
                add("alternate_title", alt.short_title, sources)
        for reported in occ.reported_titles:  # titles the O*NET survey's incumbents gave
            add("reported_title", reported, frozenset({INCUMBENT_SOURCE}))
        # BLS direct-match titles name a SOC code; they belong to its O*NET-SOC occupations ('.00' first), except
        # one that is the name of a specialty of the code ("Barista" is Baristas', not Fast Food and Counter Workers')
        members = soc_members.get(occ.soc_code, [])
        owners = [c for c in members if c.endswith(".00")] or members
        if occ.code in owners:
            named = specialty_names.get(occ.soc_code, set())
            for title in kb.taxonomy.direct_match.get(occ.soc_code, []):
                if normalize_title(title) not in named:
                    add("direct_match_title", title)
    return docs


def _occupation_text(occ) -> list[str]:
    parts = [occ.title, occ.description]
    parts += [a.title for a in occ.alt_titles]
    parts += occ.reported_titles
    parts += [t.text for t in occ.tasks]
    parts += occ.dwas
    return text_tokens(" ".join(parts))


def _dense_docs(kb: KnowledgeBase) -> list[IndexDoc]:
    docs: list[IndexDoc] = []
    dwa_seen: set[tuple[str, str]] = set()
    for occ in kb.occupations.values():
        c = occ.code
        docs.append(IndexDoc(f"{c}:t", occ.title, c, DENSE_COLLECTION_KIND))
        for i, title in enumerate(dict.fromkeys(occ.reported_titles)):
            docs.append(IndexDoc(f"{c}:r{i}", title, c, DENSE_COLLECTION_KIND))
        docs.append(IndexDoc(f"{c}:d", occ.description, c, DENSE_COLLECTION_KIND))
        for i, task in enumerate(occ.tasks):
            docs.append(IndexDoc(f"{c}:k{i}", task.text, c, DENSE_COLLECTION_KIND))
        for i, dwa in enumerate(occ.dwas):
            if (c, dwa) not in dwa_seen:
                dwa_seen.add((c, dwa))
                docs.append(IndexDoc(f"{c}:w{i}", dwa, c, DENSE_COLLECTION_KIND))
    return docs


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_SPLIT.split(text) if len(p.strip()) > 15]
    return parts[:MAX_SENTENCES] or ([text.strip()] if text.strip() else [])


class Engine:
    def __init__(self, state: _State, store: VectorStore, embedder: Embedder, kb_path: Path,
                 kb: KnowledgeBase | None = None) -> None:
        self._state = state
        state.titles.ensure_column_major()
        self._kb = kb
        self._kb_path = kb_path
        self.release = state.release
        self.codes = state.codes
        self._code_index = {c: i for i, c in enumerate(state.codes)}
        self._store = store
        # Queries may go through a faster copy of the index's model (MiniLMEmbedder.for_queries); the store
        # keeps the model that embedded the index, for what it adds to it.
        for_queries = getattr(embedder, "for_queries", None)
        self._embedder = for_queries() if callable(for_queries) else embedder
        # Answers depend on the query encoder too: a copy other than the index's model is named in the version.
        query_tag = getattr(self._embedder, "query_tag", "") if self._embedder is not embedder else ""
        self.engine_version = ENGINE_VERSION + (f".{query_tag}" if query_tag else "")
        self._soc_cache: dict[str, SocHierarchy] = {}
        # How many titles O*NET lists for an occupation: widely held jobs collect many names.
        self._breadth = np.log1p(np.bincount(state.titles.doc_codes, minlength=len(state.codes))).astype(np.float32)
        self._reranker = rerank.Reranker.packaged()
        # misspelt title and industry words put right towards O*NET's own words (retrieval.spelling)
        self._speller = Speller(state.occupations.vocabulary, state.titles.word_vocabulary)
        # Lay titles approved by analysts (assistant.review): normalised title -> code indices, oldest first.
        self._lay_titles: dict[str, list[int]] = {}
        self._batch = threading.local()  # code_many's precomputed dense results, per calling thread
        self._id_facts: dict[str, tuple[int, bool]] = {}  # dense document id -> (code index, task or DWA)
        # dense document id -> its text, for evidence: kept with the state, or else read from the store on demand
        self._doc_texts: dict[str, str] = getattr(state, "doc_texts", None) or {}

    @functools.cached_property
    def _breadth_standardised(self) -> np.ndarray:
        """The breadth channel is the same for every title query: standardised once."""
        return rank.standardise(self._breadth)

    @functools.cached_property
    def _statics(self) -> rerank.Statics:
        """Per-occupation facts for the reranker, worked out on first use so that a warm start does not pay."""
        st = self._state
        groups = self._groups
        return rerank.build_statics(st.codes, st.soc_codes, st.taxonomy, st.titles, st.vocab, st.occupation_titles,
                                   (groups.detailed, groups.broad, groups.minor))

    @functools.cached_property
    def _groups(self) -> conf.Groups:
        """Each occupation's SOC detailed code, broad and minor group, as the confidence model reads them: worked out
        on their own, so that a title, which the reranker leaves alone, never waits for the reranker's `_statics`
        (a tenth to a fifth of a second, most of it matching workers to their supervisors)."""
        st = self._state
        return conf.Groups(*rerank.soc_groups(st.soc_codes, st.taxonomy))

    @property
    def kb(self) -> KnowledgeBase:
        """The full knowledge base (profiles, tools, technology), read on first use: ranking does not need it,
        so a warm start does not pay for it."""
        if self._kb is None:
            with self._kb_path.open("rb") as fh:
                self._kb = pickle.load(fh)
        return self._kb

    def title_of(self, code: str) -> str:
        return self._state.occupation_titles[self._code_index[code]]

    def limit_embedder_threads(self, threads: int) -> None:
        """Each embedding call of this engine uses at most `threads` threads from now on (for a caller that
        embeds from several threads of its own); an embedder that cannot say is left as it is."""
        with_threads = getattr(self._embedder, "with_threads", None)
        if with_threads is not None:
            self._embedder = with_threads(threads)

    @property
    def embedder(self) -> Embedder:
        """The model queries are embedded with: the index's own, or a faster copy of it whose vectors compare
        with the stored ones (cosine 0.998-1.000 to the index model's for the same text)."""
        return self._embedder

    def task_vectors(self, code: str) -> np.ndarray | None:
        """The index's unit vectors of `code`'s task statements in the knowledge base's order, read rather
        than embedded again (None when the index does not hold them all)."""
        occ = self.kb.occupations.get(code)
        if occ is None or not occ.tasks:
            return None
        return self._store.vectors([f"{code}:k{i}" for i in range(len(occ.tasks))], DENSE_COLLECTION_KIND)

    def supervisor_of(self, code: str) -> str | None:
        """The first-line supervisor occupation of the workers who do this occupation's work (SOC codes a supervisor
        by the work supervised; `rerank.supervisors`), or None for a supervisor, an unknown code or work SOC gives no
        first-line supervisor."""
        i = self._code_index.get(code)
        head = int(self._statics.overseer[i]) if i is not None else -1
        return self.codes[head] if head >= 0 else None

    def soc_of(self, code: str) -> str:
        i = self._code_index.get(code)
        return self._state.soc_codes[i] if i is not None else code[:7]

    # ----- opening and building -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        onet_dir: Path,
        taxonomy_dir: Path,
        home: Path,
        *,
        embedder: Embedder | None = None,
        chroma_url: str | None = None,
        progress: bool = True,
        rebuild: bool = False,
    ) -> Engine:
        """Load the index under `home`, building it first when it is missing or stale."""
        home = Path(home)
        # the product's default (OCA_EMBEDDER=minilm): the packaged model, queries through its int8 copy
        embedder = embedder or MiniLMEmbedder(int8_queries=True, cache_dir=home / "models")
        index_dir = home / "index"
        index_dir.mkdir(parents=True, exist_ok=True)
        # One process at a time checks and builds: a second (the app started beside `oca index`, batch workers,
        # parallel test workers) waits for the first's build and then opens it instead of building over it.
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(FileLock(index_dir / ".build.lock"))
            except OSError:  # a read-only home: nothing can be built in it, so no build to wait for
                pass
            return cls._open_locked(onet_dir, taxonomy_dir, index_dir, embedder, chroma_url, progress, rebuild)

    @classmethod
    def _open_locked(cls, onet_dir: Path, taxonomy_dir: Path, index_dir: Path, embedder: Embedder,
                     chroma_url: str | None, progress: bool, rebuild: bool) -> Engine:
        _open_early(embedder)
        state_path = index_dir / "engine.pkl"
        store = VectorStore.open(None if chroma_url else index_dir / "chroma", embedder, chroma_url=chroma_url)
        expected = {"release": _release_stamp(Path(onet_dir), Path(taxonomy_dir)), "embedder": embedder.name,
                    "schema": SCHEMA}
        kb_path = index_dir / "kb.pkl"
        state = None if rebuild or not kb_path.is_file() else _load_state(state_path, expected)
        kb = None
        built = state is None or not store.is_current(expected)
        if built:
            state, kb = cls._build(Path(onet_dir), Path(taxonomy_dir), store, expected, state_path, kb_path,
                                   progress)
        engine = cls(state, store, embedder, kb_path, kb)
        if built:
            engine._compile_kernels()
        return engine

    def _compile_kernels(self) -> None:
        """Answer a title and a description once, so that Numba compiles the title and BM25 kernels (and
        caches them beside retrieval/kernels.py) while the index is built, not while a user waits for a
        first answer (about 4 s on two cores)."""
        self.code(title="registered nurse", k=1, evidence=False)
        self.code(title="cook", description="Prepares meals. Cleans the kitchen.", k=1, evidence=False)

    @staticmethod
    def _build(onet_dir: Path, taxonomy_dir: Path, store: VectorStore, manifest: dict, state_path: Path,
               kb_path: Path, progress: bool) -> tuple[_State, KnowledgeBase]:
        steps = tqdm(total=4, desc="Building the index", unit="step", disable=not progress)
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def done(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = now - clock
            clock = now
            steps.update()

        steps.set_postfix_str("reading the O*NET release")
        kb = load_release(onet_dir, taxonomy_dir)
        codes = sorted(kb.occupations)
        code_index = {c: i for i, c in enumerate(codes)}
        done("read release")
        steps.set_postfix_str("title and keyword indexes")
        titles = TitleIndex(_title_docs(kb, code_index), len(codes), task_verbs(kb))
        documents = [_occupation_text(kb.occupations[c]) for c in codes]
        occupations = OccupationBM25(documents)
        vocab = [frozenset(d) for d in documents]
        soc_codes = [kb.soc_of(c) for c in codes]
        supervision_words = rerank.supervision_words(
            [[t.text for t in kb.occupations[c].tasks] + list(kb.occupations[c].dwas) for c in codes],
            rerank.supervisor_flags(soc_codes, kb.taxonomy))
        done("title and keyword indexes")
        steps.set_postfix_str("embedding tasks, DWAs, titles, descriptions")
        dense = _dense_docs(kb)
        store.rebuild(dense, manifest, progress=progress)
        done("dense index")
        state = _State(dict(manifest), kb.release, codes, [kb.occupations[c].title for c in codes],
                       soc_codes, kb.taxonomy, titles, occupations, vocab, supervision_words,
                       {d.id: d.text for d in dense})
        # the knowledge base first, the ranking state last: a build cut short is seen as stale
        for obj, path in ((kb, kb_path), (state, state_path)):
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        done("saved")
        steps.close()
        if progress:
            print("build stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), file=sys.stderr)
        return state, kb

    # ----- coding ----------------------------------------------------------------------------------------
    def code(self, title: str | None = None, description: str | None = None, industry: str | None = None,
             k: int = 10, only: Sequence[str] | None = None, evidence: bool = True) -> CodingResult:
        """Rank occupations for what the person said; `only` restricts the ranking to some channel groups
        (rank.CHANNEL_GROUPS: "title", "lexical", "dense"), for ablations; `evidence=False` leaves the
        candidates' evidence out (the ranking is the same), for callers that only keep the codes."""
        key = (_clean(title, TITLE_CHARS), _clean(description, DESCRIPTION_CHARS), _clean(industry, TITLE_CHARS))
        return self._code_all([key], k, only, evidence)[0]

    def rankings_with_lead(self, query: Query) -> tuple[np.ndarray, float, np.ndarray, float] | None:
        """The fused scores and top probability of a query and of its first sentence (`lead_query`), as `code` mixes
        them (`with_lead`), for fitting and checking the mixture; None when the query has no lead."""
        lead = lead_query(query)
        if lead is None:
            return None
        out: list = []
        whole: dict[str, np.ndarray] | None = None
        for q in (query, lead):
            channels, _, _, _ = self._channels(q, evidence=False)
            if whole is not None:
                share_supervision(whole, channels)
            whole = channels
            fused = self._rank(q, channels)
            x = rank.confidence_features(fused, channels, q, self._groups)
            out += [fused, float(conf.top_probabilities(x[None, :], [rank.query_mode(q)])[0])]
        return out[0], out[1], out[2], out[3]

    def _code_all(self, keys: Sequence[tuple[str | None, str | None, str | None]], k: int,
                  only: Sequence[str] | None, evidence: bool) -> list[CodingResult]:
        """`code` for each cleaned (title, description, industry), `RANK_BATCH` at a time: each job's channels
        one by one, then every job's standardising and confidence model in a few array calls. `code` is this
        with one job, so a batch cannot rank differently; a batch's time is shared evenly among its jobs."""
        out: list[CodingResult] = []
        for start in range(0, len(keys), RANK_BATCH):
            out += self._code_batch(keys[start:start + RANK_BATCH], k, only, evidence)
        return out

    def _code_batch(self, keys: Sequence[tuple[str | None, str | None, str | None]], k: int,
                    only: Sequence[str] | None, evidence: bool) -> list[CodingResult]:
        started = time.perf_counter()
        k = max(1, min(k, len(self.codes)))
        queries = [Query(title=t, description=d, industry=i) for t, d, i in keys]  # as asked, as the results show
        shown = [q for q in queries if not q.is_empty()]
        work = [self._spelt(q) for q in shown]  # what is ranked: misspelt title and industry words put right
        # a description of several sentences without a title is also ranked by its first alone (`with_lead`),
        # from the vectors and hits the whole description found, kept for the call when no batch keeps them
        leads = [lead_query(q) if only is None else None for q in work]
        led = [n for n, lead in enumerate(leads) if lead is not None]  # the jobs ranked with a lead, in order
        asked = work + [leads[n] for n in led]
        kept = len(asked) > len(work) and getattr(self._batch, "memo", None) is None
        if kept:
            self._batch.memo = _DenseMemo(texts=False)
        try:
            found = [self._channels(q, evidence and n < len(work)) for n, q in enumerate(asked)]
        finally:
            if kept:
                self._batch.memo = None
        for m, n in enumerate(led, start=len(work)):
            share_supervision(found[n][0], found[m][0])
        weights = [rank.weights_for(q, only) for q in asked]
        known = self._standardised([f[0] for f in found], weights)
        fused, lays, features = [], [], []
        for q, (channels, *_), w, done in zip(asked, found, weights, known):
            scores = self._rank(q, channels, only, done, w)
            lays.append(self._promote_lay_titles(q.title, scores, channels) if only is None else {})
            features.append(rank.confidence_features(scores, channels, q, self._groups))
            fused.append(scores)
        p_all = conf.top_probabilities(np.vstack(features), [rank.query_mode(q) for q in asked]) if asked else []
        tops, p_top = [], []
        lead_at = {n: m for m, n in enumerate(led, start=len(work))}
        for n, q in enumerate(work):
            if n not in lead_at:
                tops.append(np.argsort(-fused[n])[:k])
                p_top.append(rank.shared_confidence(float(p_all[n]), fused[n], tops[-1]))
            else:
                m = lead_at[n]
                top, shares = with_lead(fused[n], float(p_all[n]), fused[m], float(p_all[m]), k, rank.query_mode(q))
                tops.append(top)
                p_top.append(shares)
        ranked = iter(zip(shown, work, found, fused, lays, tops, p_top))
        results = []
        elapsed = round((time.perf_counter() - started) * 1000 / max(1, len(work)), 2)
        for query in queries:
            if query.is_empty():
                results.append(CodingResult(query=query, candidates=[], release=self.release,
                                            engine_version=self.engine_version, elapsed_ms=0.0))
                continue
            query, spelt, (channels, hits, matched, setting), scores, lay, top, shares = next(ranked)
            candidates = self._candidates(spelt, channels, hits, matched, setting, scores, lay, top, shares, evidence)
            results.append(CodingResult.model_construct(
                schema_version=SCHEMA_VERSION, query=query, read_as=spelt if spelt is not query else None,
                candidates=candidates, release=self.release, engine_version=self.engine_version, elapsed_ms=elapsed))
        if len(work) == 1:  # one job: its own time, candidates included
            results[queries.index(shown[0])].elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _spelt(self, query: Query) -> Query:
        """The query as ranked: its title's and industry's misspelt words put right (`retrieval.spelling`), its title
        read as O*NET names the job (`_read_title`); the query itself when nothing was read otherwise."""
        title, description, industry = self._spelt_key((query.title, query.description, query.industry))
        if title == query.title and description == query.description and industry == query.industry:
            return query
        return query.model_copy(update={"title": title, "description": description, "industry": industry})

    def _spelt_key(self, key: tuple[str | None, str | None, str | None]) -> tuple[str | None, str | None, str | None]:
        title, description, industry = key
        if industry and PLAIN_EMPLOYER_INDUSTRY.fullmatch(industry):
            industry = None
        # SOC codes a learner with the trade learnt: a title that names none leaves it to the work told, or to the
        # industry's own work ("Apprentice" at a bakery had come out Helpers--Electricians, who list it)
        work = description or (industry if industry and not ANY_INDUSTRY.fullmatch(industry) else None)
        if title and work and LEARNER_ONLY.fullmatch(title):
            title, description = None, work
        return (self._read_title(title), with_school_level(without_plain_employer(description)),
                self._speller.correct(industry))

    def _read_title(self, title: str | None) -> str | None:
        """The title as O*NET would name the job: words written apart joined, misspelt words put right, then how the
        job is held left out and an owner's, a lead's, an activity's, a field's and a learner's title read in turn.
        Each reading leaves alone a title listed or approved as it stands, and each reads what the one before it
        gave."""
        title = self._speller.correct(self._joined(title))
        for read in (self._held_as, self._run_by_owner, self._led_by, self._doer_of, self._worker_in,
                     self._trained_for, self._at_grade):
            title = read(title)
        return title

    def _held_as(self, title: str | None) -> str | None:
        """A title with how the job is held before it (`ARRANGEMENT`) read without it: "Part-time Cashier" as "Cashier",
        "Self-employed Plumber" as "Plumber", "Temp Office Clerk" as "Office Clerk". A title listed or approved as it
        stands keeps its listing, and one that is nothing but the arrangement ("Temporary") stays as it is."""
        if not title or not ARRANGEMENT.match(title) or self.is_known_title(title):
            return title
        rest = title
        while (found := ARRANGEMENT.match(rest)) is not None and found.end() < len(rest):
            rest = rest[found.end():]
        return rest.strip() if re.search(r"[A-Za-z]{2}", rest) and not ARRANGEMENT.fullmatch(rest) else title

    def _joined(self, title: str | None) -> str | None:
        """Two words that O*NET's titles write as one, joined ("BOOK KEEPER": "bookkeeper", "SALES PERSON":
        "salesperson", "FIRE FIGHTER": "firefighter"): when at least `MIN_JOINED_TITLES` listed titles use the joined
        word and none says the two words in a row. Words of one letter are left apart (initials: "A/P"), and a title
        listed or approved as it stands keeps its listing."""
        if not title or " " not in title.strip() or self.is_known_title(title):
            return title
        words = self._state.titles.word_titles
        pairs = self._state.titles.word_pairs
        out = re.split(r"(\s+)", title.strip())
        for n in range(0, len(out) - 2, 2):
            a, b = out[n], out[n + 2]
            if not (a.isalpha() and b.isalpha() and len(a) > 1 and len(b) > 1):
                continue
            joined = normalize_title(a + b)
            if (" " not in joined and words.get(joined, 0) >= MIN_JOINED_TITLES
                    and normalize_title(f"{a} {b}") not in pairs):
                out[n], out[n + 1], out[n + 2] = "", "", a + (b if a.isupper() else b.lower())
        return re.sub(r"\s{2,}", " ", "".join(out)).strip()

    def _doer_of(self, title: str | None) -> str | None:
        """A title that names the work read as the worker's (`ACTIVITY`): "Truck Driving" as "truck driver",
        "Shipping and Receiving" as "shipper and receiver", "Trimming Trees" as "trees trimmer". Only an activity
        that ends a part of the title, or opens one whose other words (one or two, no stop word) end no title
        O*NET lists and that no listed title says with the next word, is read so ("Pile Driving Operator", "Director
        of Nursing", "Nursing Assistant" and "Operating Room Attendant" are left alone); only where more occupations'
        titles end in the worker's word than in the activity's (`_doer`); and a title listed as it stands keeps its
        listing."""
        if not title or "ing" not in title.lower() or self.is_known_title(title):
            return title
        heads = self._state.titles.heads
        pairs = self._state.titles.word_pairs
        # "Supervisor, Welding": "welding supervisor", whose head is no activity; parts at even places, joints between
        pieces = PART.split(fold(uninvert(title)))
        changed = False
        for n in range(0, len(pieces), 2):
            words = pieces[n].split()
            if not words:
                continue
            if len(words) == 1 or words[-2] not in STOPWORDS:
                doer = _doer(words[-1], heads)
                if doer is not None:
                    pieces[n] = " ".join(words[:-1] + [doer])
                    changed = True
                    continue
            if (2 <= len(words) <= 3 and not heads.get(words[-1]) and not STOPWORDS.intersection(words[1:])
                    and normalize_title(" ".join(words[:2])) not in pairs):
                doer = _doer(words[0], heads)
                if doer is not None:
                    pieces[n] = " ".join(words[1:] + [doer])
                    changed = True
        return "".join(pieces).strip() if changed else title

    def _worker_in(self, title: str | None) -> str | None:
        """A write-in that names a field and no worker ("CONSTRUCTION", "Warehouse", "Child Care": no title O*NET lists
        ends in its last word) read as a worker of that field, "Construction Worker", when an occupation other than
        an "All Other" one lists that title, or an analyst approved it: the "All Other" ones list such titles from
        the DOT as a catch-all ("Electrical Worker", "Hair Worker": Production Workers, All Other), which would
        outweigh what the industry tells. A title listed as it stands keeps its listing."""
        if not title or self.is_known_title(title):
            return title
        words = normalize_title(title).split()
        if not words or self._state.titles.heads.get(words[-1], 0):
            return title
        worker = f"{title.strip()} Worker"
        listing = self._state.titles.exact.get(normalize_title(worker), ())
        if (any(not rerank.is_all_other(self._state.occupation_titles[i]) for i in listing)
                or normalize_title(worker) in self._lay_titles):
            return worker
        return title

    def _led_by(self, title: str | None) -> str | None:
        """A title that ends in the role "lead" read as a supervisor's (`LEAD_ROLE`): "Lead", "Lead Man" and
        "Leadperson" as "Supervisor", "Stock Lead" as "Stock Supervisor", "Team Lead" as "Team Supervisor". A lead
        before the work ("Lead Cook") is left as written, as is a title listed or approved as it stands ("Leadman")."""
        if not title or not LEAD_ROLE.search(title) or self.is_known_title(title):
            return title
        return LEAD_ROLE.sub("Supervisor", title.rstrip()).strip()

    def _run_by_owner(self, title: str | None) -> str | None:
        """An owner's title read as a manager's (`OWNER`): "Owner", "Co-owner" and "Owner/Operator" as "Manager",
        "Owner Sales" as "Manager Sales", "Owner/Manager" as "Manager". An owner who names work O*NET, BLS or an
        analyst list is coded by that work ("Restaurant Cook/Owner": "Restaurant Cook"). A longer title listed as it
        stands keeps its listing ("Funeral Home Owner"), and any an analyst approved; the bare word O*NET lists under
        Urologists does not."""
        if not title or not OWNER.search(title):
            return title
        rest = re.sub(r"\s{2,}", " ", OWNER.sub(" ", title)).strip(" ,;:-/&")
        if rest and self.is_known_title(title) or normalize_title(title) in self._lay_titles:
            return title
        if rest and (self.is_known_title(rest) or "manager" in title_tokens(rest)):
            return rest
        read = OWNER.sub(" ", OWNER.sub("Manager", title, count=1))
        return re.sub(r"\s{2,}", " ", read).strip(" ,;:-/&")

    def _trained_for(self, title: str | None) -> str | None:
        """An apprentice's or trainee's title read as the trade's ("Baker Apprentice": "Baker", `LEARNER`), when O*NET,
        BLS or an analyst list the trade's title and nobody lists the title as it stands: a listed one keeps its
        listing ("Electrician Apprentice" is O*NET's Helpers--Electricians, "Management Trainee" its Managers, All
        Other), and a word left that is no title ("Apprentice", "Trainee, sales") says too little to replace it."""
        if not title or not LEARNER.search(title) or self.is_known_title(title):
            return title
        trade = re.sub(r"\s{2,}", " ", LEARNER.sub(" ", title)).strip(" ,;:-/")
        return trade if trade and self.is_known_title(trade) else title

    def _at_grade(self, title: str | None) -> str | None:
        """A school teacher's title that names the grade taught read with the school that teaches it ("3rd Grade
        Teacher": "Elementary School Teacher", "7th Grade Science Teacher": "Middle School Science Teacher",
        `SCHOOL_GRADE`); a title listed or approved as it stands keeps its listing."""
        if not title or not TEACHING.search(title) or self.is_known_title(title):
            return title
        found = SCHOOL_GRADE.search(title)
        level = _school_of(found) if found else None
        if level is None:
            return title
        return re.sub(r"\s{2,}", " ", f"{title[:found.start()]} {level.title()} School {title[found.end():]}").strip()

    def _candidates(self, query: Query, channels: dict[str, np.ndarray], hits: dict[int, list[Hit]],
                    matched: _TitleMatch, setting: _TitleMatch | None, fused: np.ndarray,
                    lay: dict[int, list[Match]], top: np.ndarray, confidences: list[float],
                    evidence: bool) -> list[Candidate]:
        """The shown candidates, built without re-validating numbers the ranking produced."""
        query_words = _query_words(query) if evidence else frozenset()
        mentions = {}
        if evidence:  # each shown candidate's dense hits, best first; the texts they will show in one read
            hits = {int(i): sorted(hits.get(i, []), key=lambda h: -h.similarity) for i in top}
            self._texts_of([h for ranked in hits.values() for h in ranked[:EVIDENCE_READ_AHEAD]])
            if query.description and "title_mentions" in channels:
                mentions = self._state.titles.mentioned(query.description, top.tolist(), worker=query.title)
        candidates = []
        names = list(channels)
        values = np.array([channels[name][top] for name in names], dtype=np.float64).T.tolist()  # exact floats
        for r, (i, score) in enumerate(zip(top.tolist(), fused[top].astype(np.float64).tolist())):
            code = self.codes[i]
            candidates.append(Candidate.model_construct(
                rank=r + 1, code=code, title=self.title_of(code), soc_code=self.soc_of(code),
                soc=self._hierarchy(code), score=round(score, 4), confidence=round(confidences[r], 4),
                channels={name: round(v, 4) for name, v in zip(names, values[r])},
                evidence=lay.get(i, []) + self._evidence(i, query, hits, matched, setting, query_words,
                                                         mentions.get(i)) if evidence else [],
            ))
        return candidates

    def _standardised(self, channels: Sequence[Mapping[str, np.ndarray]],
                      weights: Sequence[Mapping[str, float]]) -> list[dict[str, np.ndarray]]:
        """For each job, every channel its weights read, standardised (`rank.standardise_rows` over all the jobs
        that have the channel at once); the breadth channel, the same for every title, is done once."""
        rows: dict[str, list[int]] = {}
        out: list[dict[str, np.ndarray]] = [{} for _ in channels]
        for j, (chans, w) in enumerate(zip(channels, weights)):
            for name, value in chans.items():
                if not w.get(name) or name in rank.RAW_CHANNELS:
                    continue
                if name == "breadth" and value is self._breadth:
                    out[j][name] = self._breadth_standardised
                else:
                    rows.setdefault(name, []).append(j)
        for name, members in rows.items():
            done = rank.standardise_rows(np.vstack([channels[j][name] for j in members]))
            for j, row in zip(members, done):
                out[j][name] = row
        return out

    def _rank(self, query: Query, channels: dict[str, np.ndarray], only: Sequence[str] | None = None,
              known: Mapping[str, np.ndarray] | None = None, weights: Mapping[str, float] | None = None
              ) -> np.ndarray:
        """Fixed-weight fusion; for the full ranking, the learned reranker then re-orders its best candidates.
        `known` holds channels already standardised (`_standardised`)."""
        standardised = rank.standardise_all(channels, known)
        fused = rank.fuse(channels, weights if weights is not None else rank.weights_for(query, only), standardised)
        if only is None:
            title = query.title
            fused = self._reranker.rerank(channels, fused, rank.query_mode(query), lambda: self._statics,
                                          standardised, description=query.description,
                                          endings=(lambda: self._state.titles.endings(title)) if title else None)
        return fused

    def code_many(self, queries: Iterable[Query | Mapping[str, str | None]], k: int = 10,
                  evidence: bool = True) -> list[CodingResult]:
        """Code many jobs at once; each answer is the one `code` gives for that job alone.

        Repeated jobs (after the whitespace clean-up `code` does) are ranked once, every text is embedded in
        one batched call, the dense searches go to the vector store in one call per pool size and the titles
        are matched in one compiled call; then the distinct jobs are ranked together (`_code_all`, which
        `code` runs with one job) with those vectors, hits and title scores at hand. Anything not
        precomputed is computed as usual, so a change to the ranking cannot make the two disagree.
        """
        asked = [q if isinstance(q, Query) else Query(**q) for q in queries]
        keys = [(_clean(q.title, TITLE_CHARS), _clean(q.description, DESCRIPTION_CHARS), _clean(q.industry, TITLE_CHARS))
                for q in asked]
        distinct = list(dict.fromkeys(keys))
        jobs = [self._spelt_key(key) for key in distinct if any(key)]
        leads = (lead_query(Query(title=t, description=d, industry=i)) for t, d, i in jobs)
        jobs += [(q.title, q.description, q.industry) for q in leads if q is not None]  # see `with_lead`
        self._batch.memo = self._precompute_dense(jobs, texts=evidence)
        try:
            answers = dict(zip(distinct, self._code_all(distinct, k, None, evidence)))
        finally:
            self._batch.memo = None
        return [answers[key] for key in keys]

    def _precompute_dense(self, jobs: Sequence[tuple[str | None, str | None, str | None]],
                          texts: bool = True) -> _DenseMemo:
        """Vectors and dense hits for every job; without `texts` (no evidence wanted) the hits carry only
        what ranking reads (id, code, similarity), which chroma finds three times faster."""
        memo = _DenseMemo()
        plans: list[tuple[str | None, list[str]]] = []
        for title, description, industry in jobs:
            title_text = fold(f"{title} {industry or ''}".strip()) if title else None
            plans.append((title_text, split_sentences(description) if description else []))
        titles = list(dict.fromkeys(t for title, _, industry in jobs if title
                                    for t in (title, qualified_title(title, industry) if industry else None) if t))
        if titles:  # one compiled call for the batch, which leaves Python's lock to the other thread
            best, support, best_doc = self._state.titles.occupation_scores_many(titles)
            memo.titles = {t: (best[r], support[r], best_doc[r]) for r, t in enumerate(titles)}
        wanted = list(dict.fromkeys(t for title_text, sentences in plans for t in (title_text, *sentences) if t))
        if not wanted:
            return memo
        memo.vectors = dict(zip(wanted, self._embedder.embed(wanted)))
        whole: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for title_text, sentences in plans:
            if title_text:
                whole.append(memo.vectors[title_text])
            if sentences:
                sentence_vectors = np.vstack([memo.vectors[s] for s in sentences])
                whole.append(_description_vector(sentence_vectors))
                parts.extend(sentence_vectors)
        for rows, n in ((whole, QUERY_POOL), (parts, SENTENCE_POOL)):
            distinct = list({row.tobytes(): row for row in rows}.items())
            step = max(1, DENSE_BATCH_HITS // n)  # chroma fetches every hit's text in one SQL statement
            for start in range(0, len(distinct), step):
                part = distinct[start:start + step]
                matrix = np.vstack([row for _, row in part])
                rows_found = ([self._dense_row(hits) for hits in self._store.query(matrix, n=n)] if texts else
                              [self._dense_row_of_ids(*found) for found in self._store.query_ids(matrix, n)])
                memo.hits.update(((n, key), row) for (key, _), row in zip(part, rows_found))
        memo.texts = texts
        return memo

    def _dense_row(self, hits: Sequence[Hit]) -> _DenseRow:
        typed = tuple(_typed(h) for h in hits)
        codes, similarity = rank.hit_arrays(typed, self._code_index)
        sentence = np.fromiter((h.kind in SENTENCE_KINDS for h in typed), dtype=bool, count=len(typed))
        return _DenseRow(codes, similarity, sentence, typed, tuple(h.id for h in typed))

    def _dense_row_of_ids(self, ids: Sequence[str], similarity: np.ndarray, with_hits: bool = False) -> _DenseRow:
        """What ranking reads of hits known by id alone ("<code>:<kind letter><n>"); `with_hits` adds hit
        objects for the evidence, their texts left empty (`_texts_of` reads them)."""
        known = self._id_facts
        facts = [known.get(i) or known.setdefault(i, self._facts_of_id(i)) for i in ids]
        codes = np.fromiter((f[0] for f in facts), dtype=np.int64, count=len(facts))
        sentence = np.fromiter((f[1] for f in facts), dtype=bool, count=len(facts))
        hits = tuple(_typed(Hit(i, i.rpartition(":")[0], "", "", sim)) for i, sim in zip(ids, similarity.tolist())
                     ) if with_hits else ()
        return _DenseRow(codes, similarity, sentence, hits, tuple(ids))

    def _facts_of_id(self, doc_id: str) -> tuple[int, bool]:
        code, _, rest = doc_id.rpartition(":")
        return self._code_index.get(code, -1), DOC_KINDS.get(rest[:1], "task") in SENTENCE_KINDS

    def _embed(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors; while a memo is kept (`code_many`'s, or one job's with its first sentence), those
        it holds are read from it and the others are added to it."""
        memo: _DenseMemo | None = getattr(self._batch, "memo", None)
        if memo is None:
            return self._embedder.embed(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in memo.vectors]
        if missing:
            memo.vectors.update(zip(missing, self._embedder.embed(missing)))
        return np.vstack([memo.vectors[t] for t in texts])

    def _query_dense(self, matrix: np.ndarray, n: int, evidence: bool = True) -> list[_DenseRow]:
        memo: _DenseMemo | None = getattr(self._batch, "memo", None)
        keys = [(n, row.tobytes()) for row in matrix] if memo is not None else []
        found: list[_DenseRow | None] = [None] * len(matrix)
        if memo is not None and (memo.texts or not evidence):
            found = [memo.hits.get(key) for key in keys]
        todo = [j for j, row in enumerate(found) if row is None]
        if todo:
            # Ids and distances only (a search that reads no documents costs about a third); the few texts the
            # evidence shows are read afterwards, in one read (`_texts_of`).
            fresh = [self._dense_row_of_ids(ids, similarity, with_hits=evidence)
                     for ids, similarity in self._store.query_ids(matrix[todo], n)]
            for j, row in zip(todo, fresh):
                found[j] = row
            if memo is not None and (evidence or not memo.texts):
                memo.hits.update((keys[j], row) for j, row in zip(todo, fresh))
        return found  # type: ignore[return-value]

    def _texts_of(self, hits: Sequence[Hit]) -> dict[str, str]:
        """Document texts for `hits` (searched by id only, their text left empty), kept once read."""
        known = self._read_texts([h.id for h in hits if not h.text])
        return {h.id: h.text or known.get(h.id, "") for h in hits}

    def _channels(self, query: Query, evidence: bool = True
                  ) -> tuple[dict[str, np.ndarray], dict[int, list[Hit]], _TitleMatch, _TitleMatch | None]:
        """Every channel's score for each occupation; with `evidence`, also the dense hits by occupation; then each
        occupation's best matching title for the title, and for the title with its industry (None without both)."""
        st = self._state
        n = len(self.codes)
        channels: dict[str, np.ndarray] = {}
        title, description, industry = query.title or "", query.description or "", query.industry or ""
        sentences = split_sentences(description) if description else []
        texts = []
        if title:
            texts.append(fold(f"{title} {industry}".strip()))
        texts += sentences
        vectors = self._embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        rows: list[np.ndarray] = []
        if title:
            rows.append(vectors[0])
        if sentences:
            sentence_vectors = vectors[-len(sentences):]
            rows.append(_description_vector(sentence_vectors))
            rows.extend(sentence_vectors)
        # Whole-query vectors need a wide pool per occupation; each sentence only its best matches.
        n_whole = len(rows) - len(sentences)
        raw = self._query_dense(np.vstack(rows[:n_whole]), QUERY_POOL, evidence) if n_whole else []
        if sentences:
            raw += self._query_dense(np.vstack(rows[n_whole:]), SENTENCE_POOL, evidence)
        hits_by_code: dict[int, list[Hit]] = {}
        for row in raw if evidence else ():
            for h, i in zip(row.hits, row.codes.tolist()):
                if i >= 0:
                    hits_by_code.setdefault(i, []).append(h)
        matched = _TitleMatch(np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.float32))
        setting: _TitleMatch | None = None
        pos = 0
        if title:
            best, support, best_doc = self._title_scores(title)
            matched = _TitleMatch(best_doc, best.copy())  # the lay-title lift raises the channel, not the match shown
            channels["title"] = best
            channels["title_support"] = support
            channels["title_exact"] = st.titles.exact_scores(title)
            channels["title_exact_share"] = st.titles.exact_share(title)
            channels["title_votes"] = conf.title_votes(st.titles, title)
            if industry:  # "Manager" at a restaurant: the titles that name the two together ("Restaurant Manager")
                similarity, _, setting_doc = self._title_scores(qualified_title(title, industry))
                setting = _TitleMatch(setting_doc, similarity)
                channels["title_industry"] = similarity
            channels["lexical_title"] = st.occupations.scores(title)
            channels["dense_title"] = rank.top_mean_indexed(raw[pos].codes, raw[pos].similarity, n)
            channels["breadth"] = self._breadth
            pos += 1
        if sentences:
            channels["lexical_description"] = st.occupations.scores(description)
            channels["title_mentions"] = st.titles.mention_scores(description, worker=title)
            channels["dense_description"] = rank.top_mean_indexed(raw[pos].codes, raw[pos].similarity, n)
            channels["dense_sentences"] = rank.sentence_alignment_indexed(
                [(row.codes[row.sentence], row.similarity[row.sentence]) for row in raw[pos + 1:]], n)
            channels["supervision"] = self._supervision(sentences, raw[pos + 1:])
        if industry:
            channels["lexical_industry"] = st.occupations.scores(industry)
        return channels, hits_by_code, matched, setting

    def _nearest_work(self, row: _DenseRow) -> str | None:
        """The id of the O*NET task or DWA nearest a sentence (`row`, its dense hits) when that statement is a
        supervised worker's (of an occupation with an overseer), None when a supervisor's comes first or there is
        none; other occupations' statements (managers', professionals') are passed over. On O*NET's supervision
        pseudo-queries the nearest three before a supervisor's took more from supervisors than the nearest alone."""
        flags = self._statics.supervisor
        overseer = self._statics.overseer
        for doc_id, i, is_statement in zip(row.ids, row.codes.tolist(), row.sentence.tolist()):
            if i < 0 or not is_statement:
                continue
            if flags[i]:
                return None
            if overseer[i] >= 0:
                return doc_id
        return None

    def _supervision(self, sentences: Sequence[str], rows: Sequence[_DenseRow]) -> np.ndarray:
        """How plainly the description says the job supervises people, given to every first-line supervisor
        occupation (0 elsewhere): the largest sum, over one sentence's words, of the weights of the words that
        O*NET's supervisors use for supervising (`rerank.supervision_words`). The reranker reads it together with
        the work of the people supervised.

        A word the sentence shares with its nearest O*NET statement, when that is a supervised worker's
        (`_nearest_work`; `rows` holds each sentence's dense hits), does not count: the worker's own work explains
        it. Supervisors' statements use "complaint" and "resolve" far more than others' do, but "I deal with
        customer complaints and returns at a store" is nearest Customer Service Representatives' "Resolve customer
        complaints", and had come out First-Line Supervisors of Office and Administrative Support Workers first."""
        weights = self._state.supervision_words
        read = [set(text_tokens(EMPLOYER_NAMED.sub(" ", HAVING_A_JOB.sub(" ", s)))) for s in sentences]
        nearest = [self._nearest_work(row) if any(w in weights for w in words) else None
                   for row, words in zip(rows, read)]
        texts = self._read_texts([d for d in nearest if d])
        scores = []
        for sentence, words, near in zip(sentences, read, nearest):
            if near:
                words = words - set(text_tokens(texts[near]))
            score = sum(weights.get(w, 0.0) for w in words)
            if SUPERVISING_SAID.search(sentence):
                score = max(score, self._supervising_floor)
            scores.append(score)
        return (self._statics.supervisor * np.float32(max(scores, default=0.0))).astype(np.float32)

    def _read_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The texts of the dense documents `ids`, those not yet known read in one go and kept."""
        known = self._doc_texts
        missing = [d for d in dict.fromkeys(ids) if d not in known]
        if missing:
            known.update(self._store.documents(missing))
        return {d: known.get(d, "") for d in ids}

    @functools.cached_property
    def _supervising_floor(self) -> float:
        """What a first-person "I supervise ..." is worth at least on the supervision channel: the median over the
        first-line supervisors' O*NET task statements of the same sum of weights. O*NET's statements say what is
        supervised in supervisors' words ("Assign work to workers"); a customer says "I supervise drivers", whose
        words weigh little ("supervise" 0.74: managers supervise too), though nothing says it more plainly."""
        weights = self._state.supervision_words
        flags = self._statics.supervisor
        occupations = self.kb.occupations
        sums = [sum(weights.get(w, 0.0) for w in set(text_tokens(task.text)))
                for i, code in enumerate(self.codes) if flags[i] and code in occupations
                for task in occupations[code].tasks]
        return float(np.median(sums)) if sums else 0.0

    def _title_scores(self, title: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per occupation: its best title's similarity, the mean of its best three, and which title it is;
        copies of what `code_many` worked out for the whole batch, when it did."""
        memo: _DenseMemo | None = getattr(self._batch, "memo", None)
        found = memo.titles.get(title) if memo is not None else None
        if found is None:
            best, support, best_doc = self._state.titles.occupation_scores_many([title])
            return best[0], support[0], best_doc[0]
        return found[0].copy(), found[1].copy(), found[2].copy()

    # ----- evidence --------------------------------------------------------------------------------------
    def _evidence(self, i: int, query: Query, hits: dict[int, list[Hit]], matched: _TitleMatch,
                  setting: _TitleMatch | None, query_words: frozenset[str],
                  mention: tuple[TitleDoc, list[str], float] | None = None) -> list[Match]:
        """`hits` holds each candidate's dense hits, best first; `matched` each occupation's best title for the
        query's title, `setting` for the title with its industry (shown where it matched better: "Farm Manager"
        for a manager at a farm); `mention` its title that the description names best, with the words it names
        it by ("sets up" for "Set-Up Operator"), which is often all that puts an "All Other" occupation there."""
        st = self._state
        out: list[Match] = []
        shown = [("title", query.title, matched)]
        if setting is not None and setting.doc[i] != matched.doc[i] and setting.similarity[i] > matched.similarity[i]:
            shown.append(("industry", qualified_title(query.title or "", query.industry or ""), setting))
        for channel, said, match in shown:
            if said and match.doc[i] >= 0:
                doc = st.titles.docs[match.doc[i]]
                words = sorted(set(title_tokens(said)) & set(doc.normalized.split()))
                out.append(Match(channel=channel, kind=doc.kind, text=doc.text, matched_words=words,
                                 score=round(float(match.similarity[i]), 4)))
        seen: set[str] = set()
        ranked = hits.get(i, [])
        texts: dict[str, str] = {}
        for j, h in enumerate(ranked):
            if h.id not in texts:  # texts a few hits ahead at a time (most were read for every candidate at once)
                texts.update(self._texts_of(ranked[j:j + EVIDENCE_READ_AHEAD]))
            text = texts[h.id]
            if text in seen or h.kind == "title" and out:
                continue
            seen.add(text)
            out.append(Match(channel="dense", kind=h.kind, text=text,
                             matched_words=sorted(query_words & _document_words(text)),
                             score=round(h.similarity, 4)))
            if len(out) >= 4:
                break
        if mention is not None and mention[1] and mention[0].text not in seen | {m.text for m in out}:
            doc, words, share = mention
            out.append(Match(channel="mention", kind=doc.kind, text=doc.text, matched_words=words,
                             score=round(share, 4)))
        shared = query_words & st.vocab[i]
        if shared:
            idf = st.occupations.bm25
            ranked = sorted(shared, key=lambda w: (-_idf(idf, w), w))[:8]  # ties by spelling: the same every run
            out.append(Match(channel="lexical", kind="occupation", text=self._state.occupation_titles[i],
                             matched_words=ranked, score=0.0))
        return out

    def _hierarchy(self, code: str) -> SocHierarchy:
        soc_code = self.soc_of(code)
        cached = self._soc_cache.get(soc_code)
        if cached is None:
            levels = {g.level: SocLevel(code=g.code, title=g.title) for g in self._state.taxonomy.hierarchy(soc_code)}
            cached = SocHierarchy(**{k: v for k, v in levels.items() if k in ("major", "minor", "broad", "detailed")})
            self._soc_cache[soc_code] = cached
        return cached

    # ----- keyword search (Code Connector style) -----------------------------------------------------------
    def search(self, query: str, k: int = 20) -> list[SearchHit]:
        query = clean_text(query or "")
        if not query:
            return []
        code = normalize_code(query)
        if ONETSOC_RE.match(code) or SOC_RE.match(query):
            matches = [c for c in self.codes if c == code or c.startswith(query)]
            return [SearchHit(code=c, title=self.title_of(c), score=1.0) for c in matches[:k]]
        st = self._state
        query = self._speller.correct(query)  # "computer programer" searches for programmers
        sims = st.titles.similarities(query)
        best, support, _ = st.titles.occupation_scores(sims)
        lexical = st.occupations.scores(query)
        fused = rank.fuse({"title": best, "title_support": support, "lexical_title": lexical},
                          {"title": 1.5, "title_support": 1.0, "lexical_title": 1.0})
        lay = self._promote_lay_titles(query, fused)
        words = set(text_tokens(query))
        best_titles = [j for j in np.argsort(-sims)[:400] if sims[j] > 0.3]  # sorted once, not per hit
        out = []
        for i in np.argsort(-fused)[:k]:
            if lexical[i] <= 0 and best[i] < 0.5 and i not in lay:
                continue  # character n-grams alone make every title look a little alike
            occ = self.kb.occupations[self.codes[i]]
            matched_titles = [st.titles.docs[j].text for j in best_titles if st.titles.doc_codes[j] == i][:5]
            matched_titles = [m.text for m in lay.get(i, [])] + matched_titles
            matched_tasks = [t.text for t in occ.tasks if words & set(text_tokens(t.text))][:3]
            out.append(SearchHit(code=occ.code, title=occ.title, score=round(float(fused[i]), 4),
                                 matched_titles=matched_titles, matched_tasks=matched_tasks))
        return out

    # ----- lay titles: analysts' approved codes for titles O*NET does not list ------------------------------
    def add_lay_titles(self, titles: Iterable[tuple[str, str]]) -> int:
        """Make each (title, code) rank that code first for that title from the next query on, without a
        rebuild. When one title has several codes the latest added ranks first. Codes this release does not
        know are skipped; returns how many pairs are new."""
        taken = 0
        for title, code in titles:
            norm, i = normalize_title(title), self._code_index.get(code)
            codes = self._lay_titles.setdefault(norm, []) if norm and i is not None else None
            if codes is not None and i not in codes:
                codes.append(i)
                taken += 1
                self._speller.learn(title)  # a new word is not a misspelling
        return taken

    def is_onet_title(self, title: str, code: str) -> bool:
        """Whether O*NET or BLS already list `title` (normalised) for the occupation `code`."""
        norm, i = normalize_title(title), self._code_index.get(code)
        return i in self._state.titles.exact.get(norm, ())

    def is_known_title(self, title: str) -> bool:
        """Whether O*NET or BLS list `title` (normalised) for any occupation, or an analyst approved it as a lay
        title: a bare phrase ("Mechanic", "cabinet maker") the chat can take for the job title."""
        norm = normalize_title(title)
        return bool(norm) and (norm in self._state.titles.exact or norm in self._lay_titles)

    def _promote_lay_titles(self, title: str | None, fused: np.ndarray,
                            channels: dict[str, np.ndarray] | None = None) -> dict[int, list[Match]]:
        """Lift the approved codes of a lay title above every other score (in place), the latest approved
        first, and return the evidence to show for them. In `channels` the title now matches those codes
        word for word, as an O*NET title would, and each title channel scores them at least as high as its
        best occupation (an analyst's approval outweighs any similarity), so their confidence is that of an
        exact title match that every channel agrees on."""
        codes = self._lay_titles.get(normalize_title(title)) if title and self._lay_titles else None
        if not codes or fused.shape[0] == 0:
            return {}
        # Above every other score, and by at least what a word-for-word O*NET title adds to its occupation.
        lift = max(float(fused.max()) + 1.0, max(float(fused[i]) for i in codes) + rank.TITLE_WEIGHTS["title_exact"])
        evidence = {}
        for n, i in enumerate(codes):
            fused[i] = lift + n
            for name, value in (("title", 1.0), ("title_exact", 1.0), ("title_exact_share", 1.0 / len(codes))):
                if channels is not None and name in channels:
                    channels[name][i] = max(float(channels[name][i]), value)
            for name in LAY_TITLE_CHANNELS:
                if channels is not None and name in channels and channels[name].shape[0]:
                    channels[name][i] = max(float(channels[name][i]), float(channels[name].max()))
            evidence[i] = [Match(channel="title", kind="lay_title", text=title, matched_words=title_tokens(title),
                                 score=1.0)]
        if channels is not None and "title_votes" in channels:  # the approved title is one more title with the words
            channels["title_votes"] = conf.title_votes(self._state.titles, title, also=codes)
        return evidence


@dataclass
class _DenseMemo:
    """Embeddings by text, vector-store hits by (pool size, vector bytes) and title scores by title, computed
    for a whole batch;
    `texts` says whether the hits carry their texts (for evidence) or only what ranking reads."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    hits: dict[tuple[int, bytes], _DenseRow] = field(default_factory=dict)
    titles: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)  # `_title_scores`
    texts: bool = True


class _TitleMatch(NamedTuple):
    """Per occupation: its best matching title document (-1: none) and that title's similarity."""

    doc: np.ndarray
    similarity: np.ndarray


@dataclass(frozen=True, slots=True)
class _DenseRow:
    """One vector's dense hits, best first, as ranking reads them; `hits` are empty when no evidence is wanted."""

    codes: np.ndarray  # occupation index of each hit, -1 for a code this release does not know
    similarity: np.ndarray  # cosine, float64
    sentence: np.ndarray  # whether the hit is a task or DWA (what a description sentence is aligned with)
    hits: tuple[Hit, ...]
    ids: tuple[str, ...] = ()  # each hit's document id


def lead_query(query: Query) -> Query | None:
    """The query with its description cut to the first sentence, when the description has more than one and there
    is no title: what `with_lead` ranks beside the whole. A title already says what the job is, which is what a
    description's first sentence is there for (with every DOT field shown, mixing it in moved O*NET-SOC top-1 from
    79.1% to 79.2%, and a title + 700-character description's p50 from 33.6 to 36.1 ms)."""
    if not query.description or query.title:
        return None
    sentences = split_sentences(query.description)
    if len(sentences) < 2:
        return None
    return Query(title=query.title, description=sentences[0], industry=query.industry)


def qualified_title(title: str, industry: str) -> str:
    """The title with the employer's business put before it, as O*NET's titles name a trade's setting."""
    return f"{industry} {title}"


def share_supervision(whole: dict[str, np.ndarray], lead: dict[str, np.ndarray]) -> None:
    """Give a description's first sentence the whole description's supervision channel: whether the job supervises
    is said anywhere in it ("... I assign each cleaner an area and inspect their work")."""
    if "supervision" in whole:
        lead["supervision"] = whole["supervision"]


def with_lead(fused: np.ndarray, p_top: float, lead_fused: np.ndarray, lead_p_top: float, k: int,
              mode: str | None, weight: float = LEAD_WEIGHT) -> tuple[np.ndarray, list[float]]:
    """The best `k` occupations and their probabilities when the whole description's ranking is mixed with its
    first sentence's, `weight` (`LEAD_WEIGHT`) to one: a description usually opens with what the job is (the DOT's lead
    statement, O*NET's own descriptions, a customer's first answer) and goes on with duties that each also fit
    other jobs. Each ranking's probabilities over its best `LEAD_POOL`, as `rank.shared_confidence` gives them.

    On O*NET's own data (held-out occupations asked with their description, also held out, then four held-out
    tasks; `scripts/lead_check.py`), top-1 rose from 68.4% to 70.1%; asked with the four tasks alone, whose first
    is one duty among others, it fell from 49.9% to 46.5%. A weight of 1 gained 2.2 and lost 8.7. So this rests
    on descriptions opening with what the job is, as job descriptions (the DOT's among them) and the chat's
    opening answer mostly do.

    The mixture's top share is then mapped to a probability by the confidence model's `lead_stretch` for `mode`
    (None: the share as it is, for fitting that stretch), the runners-up scaled to what it leaves."""
    total = np.zeros(fused.shape[0], dtype=np.float64)
    pools = []
    for scores, p, part in ((fused, p_top, 1.0), (lead_fused, lead_p_top, weight)):
        pool = _best(scores, LEAD_POOL)
        total[pool] += part * np.asarray(rank.shared_confidence(p, scores, pool)) / (1.0 + weight)
        pools.append(pool)
    held = np.unique(np.concatenate(pools))
    # ties by the whole description's score, then by index: the same order every run
    order = held[np.lexsort((held, -fused[held], -total[held]))][:k]
    out = total[order].tolist()
    if mode is not None and out:
        first = conf.lead_probability(out[0], mode)
        scale = (1.0 - first) / (1.0 - out[0]) if out[0] < 1.0 else 0.0
        out = [first] + [min(first, share * scale) for share in out[1:]]
    return np.array(order, dtype=np.int64), out


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """The indices of the `n` best scores, best first (ties by index)."""
    pool = np.argpartition(-scores, n)[:n] if scores.shape[0] > n else np.arange(scores.shape[0])
    return pool[np.lexsort((pool, -scores[pool]))]


def _description_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    """The description as a whole: the normalised mean of its sentences' vectors."""
    vector = sentence_vectors.mean(axis=0)
    vector /= np.linalg.norm(vector) or 1.0
    return vector


def _typed(hit: Hit) -> Hit:
    """The hit with its document kind (title, task, dwa, description) read back from its id."""
    letter = hit.id.rpartition(":")[2][:1]
    return Hit(hit.id, hit.code, DOC_KINDS.get(letter, "task"), hit.text, hit.similarity)


def _idf(bm25, word: str) -> float:
    idx = bm25.vocab_dict.get(word)
    if idx is None:
        return 0.0
    indptr = bm25.scores["indptr"]
    df = indptr[idx + 1] - indptr[idx]
    return float(np.log(1 + bm25.scores["num_docs"] / (1 + df)))


def _query_words(query: Query) -> frozenset[str]:
    """The words of everything the person said, as the evidence compares them (worked out once a query)."""
    return frozenset(text_tokens(" ".join(filter(None, (query.title, query.description, query.industry)))))


# "I work construction", "we work nights": the verb of having a job, not the supervisors' noun ("assign work",
# "inspect the work of crews") that makes "work" one of O*NET's words of supervising.
HAVING_A_JOB = re.compile(r"\b(?:I|we|I'm|we're|I am|we are)\s+(?:work|works|worked|working)\b", re.IGNORECASE)
# "for a small company", "at an accounting firm": who employs the person, not a word of supervising ("company" is
# one of O*NET's, from supervisors' "company policies"); "I do payroll for a small company" had read as supervising.
_EMPLOYER = r"company|firm|business|corporation|organi[sz]ation|employer|enterprise|outfit"
_EMPLOYED_BY = r"\b(?:for|at|with|in|by)\s+(?:a|an|the|our|my|this|one)\s+"
EMPLOYER_NAMED = re.compile(_EMPLOYED_BY + r"(?:[\w&'-]+\s+){0,3}?(?:" + _EMPLOYER + r"|companies)\b", re.IGNORECASE)
# An employer named by nothing but its size or kind of ownership ("for a small company", "at a large firm", "with a
# family business") says nothing of the work, and its words met titles ("Small Products Assembler"); left out of a
# description as ranked. One named by its trade ("for a trucking company") stays: the trade is evidence.
_PLAIN_EMPLOYER = (
    r"(?:(?:" + EMPLOYER_SIZE_WORDS + r"|smaller|larger|bigger|national|international|global|multinational|huge|tiny|"
    r"young|growing|well-known|public|publicly[- ]traded)\s+){0,3}(?:" + _EMPLOYER + r"|start-?up)\b")
PLAIN_EMPLOYER = re.compile(r"\s*" + _EMPLOYED_BY + _PLAIN_EMPLOYER, re.IGNORECASE)
# The same as the whole of an industry ("small company"): no industry at all.
PLAIN_EMPLOYER_INDUSTRY = re.compile(r"\s*(?:(?:a|an|the|our|my|this|one)\s+)?" + _PLAIN_EMPLOYER + r"\W*",
                                     re.IGNORECASE)
# The DOT's designation of a job found in many industries: it names no industry.
ANY_INDUSTRY = re.compile(r"\s*any[\s-]+industry\W*", re.IGNORECASE)


# A US school grade taught: "3rd grade", "third-grade", "grade 3", "grades 6-8", "7th graders". BLS lists "Grades 1
# Through 5 Teacher" as an Elementary School Teacher's title, and O*NET names the other school teachers by their
# school (middle school, high school), never by grade; so a grade is read as its school (`_school_of`).
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
             "twelfth")
_GRADE_NUMBER = r"1[0-2]|[1-9]"
SCHOOL_GRADE = re.compile(
    r"\b(?:(?P<n>" + _GRADE_NUMBER + r")(?:st|nd|rd|th)?|(?P<word>" + "|".join(_ORDINALS) + r"))[\s-]+grade(?:rs?)?\b"
    r"|\bgrades?[\s-]+(?P<m>" + _GRADE_NUMBER + r")\b(?:\s*(?:-|–|to|through|and)\s*(?P<last>" + _GRADE_NUMBER
    + r")\b)?", re.IGNORECASE)
# Where a grade is a school's: teaching said ("Lumber grade 2" is not).
TEACHING = re.compile(r"\b(?:teach\w*|tutor\w*|instruct\w*|educat\w*|students?|pupils?|class(?:es|room)?)\b",
                      re.IGNORECASE)


def _school_of(found: re.Match) -> str | None:
    """The school level of a `SCHOOL_GRADE` match: grades 1-5 elementary, 6-8 middle, 9-12 high; None for a span of
    grades across two schools ("grades 6-12")."""
    first = found["n"] or found["m"]
    first_grade = int(first) if first else _ORDINALS.index(found["word"].lower()) + 1
    grades = [first_grade] + ([int(found["last"])] if found["last"] else [])
    levels = {"elementary" if g <= 5 else "middle" if g <= 8 else "high" for g in grades}
    return levels.pop() if len(levels) == 1 else None


def with_school_level(description: str | None) -> str | None:
    """`description` with each grade it says is taught read as its school ("I teach 3rd grade": "I teach elementary
    school"), as O*NET tells its school teachers apart; a span across two schools stays as it is."""
    if not description or not TEACHING.search(description) or not SCHOOL_GRADE.search(description):
        return description

    def as_school(found: re.Match) -> str:
        level = _school_of(found)
        if level is None:
            return found[0]
        said = found[0].lower()
        return f"{level} school" + (" students" if said.endswith("graders") else " student" if said.endswith("grader")
                                    else "")

    return SCHOOL_GRADE.sub(as_school, description)


def without_plain_employer(description: str | None) -> str | None:
    """`description` without the employers it names by size or ownership alone (`PLAIN_EMPLOYER`); as it is when
    that would leave no words."""
    if not description or not PLAIN_EMPLOYER.search(description):
        return description
    read = PLAIN_EMPLOYER.sub("", description)
    return read if re.search(r"[A-Za-z]{3}", read) else description


# The first person saying outright that they supervise ("I supervise drivers", "we oversee the night crew"); not
# "I don't supervise" or "I'd like to supervise" (a word between), nor "manage" or "run" (managers and owners).
SUPERVISING_SAID = re.compile(r"\b(?:I|we)\s+(?:also\s+|now\s+)?(?:supervise|oversee)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=65_536)
def _document_words(text: str) -> frozenset[str]:
    """The words of one indexed O*NET text; the same tasks come back query after query, so they are kept."""
    return frozenset(text_tokens(text))


# How much of each field a query reads: longer texts add time, not evidence (O*NET descriptions run ~500 chars).
TITLE_CHARS = 300
DESCRIPTION_CHARS = 6000


def _clean(value: str | None, limit: int | None = None) -> str | None:
    if value is None:
        return None
    value = clean_text(value[: limit * 2] if limit else value)  # a 100 KB paste costs no more than a page
    return (value[:limit] if limit else value) or None


def _release_stamp(onet_dir: Path, taxonomy_dir: Path) -> str:
    """The release name plus a digest of its files' names and contents: an edited release is rebuilt, while the same
    release copied, unzipped again or moved (every file with a new time) is not. Reading the release's 34 MB for the
    digest takes about 30 ms of a warm start."""
    from retrieval.onet import release_name

    if not onet_dir.is_dir():
        return "missing"
    digest = hashlib.sha256()
    for role, folder in (("onet", onet_dir), ("taxonomy", taxonomy_dir)):
        if folder.is_dir():
            for p in sorted(folder.iterdir(), key=lambda p: p.name):
                if p.is_file():
                    digest.update(f"{role}/{p.name}\0".encode())
                    with p.open("rb") as fh:
                        digest.update(hashlib.file_digest(fh, "sha256").digest())
    return f"{release_name(onet_dir)}|{digest.hexdigest()[:20]}"


def _open_early(embedder: Embedder) -> None:
    """Start opening the embedder's query copy (`MiniLMEmbedder.for_queries`) on a thread of its own: onnxruntime
    opens a session without Python's lock, so on two cores it opens while the index state is unpickled, which
    holds the lock (each about 0.4 s; `scripts/bench.py`'s warm start 0.6-0.7 s shorter, for about 40 MB more peak
    memory, as the two now overlap). `Engine` asks for the copy again and waits for this one; if opening failed
    here, it fails there, where the error is raised."""
    for_queries = getattr(embedder, "for_queries", None)
    if not callable(for_queries):
        return

    def run() -> None:
        with contextlib.suppress(Exception):
            for_queries()

    threading.Thread(target=run, name="query-encoder", daemon=True).start()


def _load_state(path: Path, expected: dict) -> _State | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            state = pickle.load(fh)
    except Exception:  # a partial or foreign file: rebuild rather than fail
        return None
    if not isinstance(state, _State) or state.manifest != expected:
        return None
    return state


__all__ = ["Engine", "IndexError_", "split_sentences"]
