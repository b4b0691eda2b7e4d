"""Sparse channels: fuzzy title matching (character and word TF-IDF) and BM25 over occupations and titles.

These are pure in-memory structures built from the knowledge base; they are pickled beside the vector
index so a warm start does not re-read the O*NET text files.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import bm25s
import numpy as np
import Stemmer

from retrieval import kernels
from retrieval.normalize import normalize_title, text_tokens, uninvert

TITLE_POOL = 2000  # title documents that a title's per-occupation scores are read from
MENTION_POOL = 600  # the same for titles matched against a description's words
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
_NONE = np.zeros(0, dtype=np.int64)
_STEM_MEMO = 200_000  # words whose stems a `WordStems` remembers


class WordStems:
    """Words to their Snowball stems, and a title's agent nouns to the verb they name ("scorer" -> "score",
    "cutter" -> "cut"): a description says what the worker does ("scores insoles"), a title names the doer
    ("Insole Scorer"). Which "-er"/"-or" words name a doer is read from O*NET itself: the verbs its task
    statements begin with ("water", "paper" and "order" are left alone)."""

    def __init__(self, verbs: Iterable[str]) -> None:
        self._local = threading.local()  # a Snowball stemmer is not to be shared between threads
        self.verbs = frozenset(verbs)
        self._verb_stems = frozenset(self._stem(v) for v in self.verbs)
        self._memo: dict[str, str] = {}

    def _stem(self, word: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer("english")
        return stemmer.stemWord(word)

    def __call__(self, word: str) -> str:
        found = self._memo.get(word)
        if found is None:
            found = self._stem(word)
            if len(word) > 4 and word.endswith(("er", "or")):
                base = word[:-2]
                candidates = [base, base + "e"] + ([base[:-1]] if base[-1] == base[-2] else [])
                for candidate in candidates:
                    stem = self._stem(candidate)
                    if stem in self._verb_stems:
                        found = stem
                        break
            if len(self._memo) >= _STEM_MEMO:
                self._memo.clear()  # a long-running app meets misspellings without end: bounded, not unbounded
            self._memo[word] = found
        return found

    def tokens(self, text: str) -> list[str]:
        return [self(w) for w in text_tokens(text)]

    def __getstate__(self) -> dict:
        return {"verbs": self.verbs}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["verbs"])


# "I do payroll", "does the books": the verb names no title, though "DO" (a doctor of osteopathy) and "Do All Operator"
# are O*NET titles; written in capitals it is the abbreviation and stays.
_DOING = re.compile(r"\b(?:[Dd]o|[Dd]oes|[Dd]id)\b")


def _without_doing(text: str) -> str:
    return _DOING.sub(" ", text)


@dataclass(frozen=True, slots=True)
class TitleDoc:
    code_index: int
    kind: str  # title, alt_title, short_title, reported_title, direct_match_title
    text: str
    normalized: str
    sources: frozenset[str] = frozenset()  # O*NET's source codes for the title ("02": incumbents reported it)

    def __reduce__(self) -> tuple[type[TitleDoc], tuple[int, str, str, str, frozenset[str]]]:
        # Pickled as its fields: the index's 61,000 titles load in about a third less time than through a frozen
        # dataclass's own state restoring (part of every warm start).
        return TitleDoc, (self.code_index, self.kind, self.text, self.normalized, self.sources)


def group_top(scores: np.ndarray, groups: np.ndarray, n_groups: int, top: int, pool: int,
              keep_ties: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Among the `pool` best positive scores and every score tied with the last of them (so no arbitrary
    choice among ties decides what is kept): each group's best, the mean of its `top` best, the best's index.
    Of documents tied for a group's best the first is named. `kernels.title_scores` is this, compiled.

    Without `keep_ties`, exactly `pool` scores are kept and NumPy chooses among those tied at the edge: the
    title mentions of a description are scored so, as when the description reranker was fitted on them."""
    best = np.zeros(n_groups, dtype=np.float32)
    mean = np.zeros(n_groups, dtype=np.float32)
    best_doc = np.full(n_groups, -1, dtype=np.int64)
    if keep_ties:
        idx = np.flatnonzero(scores > 0)
        if idx.size > pool:
            edge = np.partition(scores[idx], idx.size - pool)[idx.size - pool]  # the pool-th best
            idx = idx[scores[idx] >= edge]
    else:
        idx = np.argpartition(-scores, pool)[:pool] if scores.shape[0] > pool else np.arange(scores.shape[0])
        idx = idx[scores[idx] > 0]
    if idx.size == 0:
        return best, mean, best_doc
    g = groups[idx]
    s = scores[idx]
    order = np.lexsort((idx, -s, g))  # by group, best first within a group, ties in the documents' order
    idx, g, s = idx[order], g[order], s[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
    keep = rank < top
    np.add.at(mean, g[keep], s[keep])
    best[g[starts]] = s[starts]
    best_doc[g[starts]] = idx[starts]
    return best, mean / top, best_doc


def _query_columns(analyzer, vocabulary: dict, idf: np.ndarray, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The fitted TF-IDF vector of `text` (sublinear tf, l2-normalised) as its columns and weights, columns in
    the order their n-grams first occur; the same numbers as the vectorizer's `transform` without its
    per-call validation."""
    counts: dict[int, int] = {}
    for gram in analyzer(text):
        j = vocabulary.get(gram)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    weights = (1.0 + np.log(tf)) * idf[cols]
    weights /= np.linalg.norm(weights)
    return cols, weights


@dataclass(frozen=True)
class _Compiled:
    """What the compiled title loops (`retrieval.kernels`) read, derived from a `TitleIndex` once per process."""

    char_matrix: tuple[np.ndarray, np.ndarray, np.ndarray]  # CSC indptr, indices, data
    word_matrix: tuple[np.ndarray, np.ndarray, np.ndarray]
    doc_codes: np.ndarray  # each title document's occupation, as the kernels index it


def _csc_arrays(matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.ascontiguousarray(matrix.indptr), np.ascontiguousarray(matrix.indices),
            np.ascontiguousarray(matrix.data, dtype=np.float32))


def _stacked(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-query (columns, weights) as one pointer array and two flat arrays."""
    ptr = np.zeros(len(parts) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([c.shape[0] for c, _ in parts])
    if not parts:
        return ptr, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return ptr, np.concatenate([c for c, _ in parts]), np.concatenate([w for _, w in parts]).astype(np.float32)


def bm25_scores(bm25: bm25s.BM25, tokens: list[str]) -> np.ndarray:
    """`bm25.get_scores(tokens)`, the same float32 numbers, with each token's postings added by a compiled
    loop: bm25s adds them with `np.add.at`, which cost about 1.3 ms of a 700-character description's
    ~20 ms. Tokens outside the vocabulary count for nothing, as in bm25s."""
    if bm25.nonoccurrence_array is not None:  # variants that score absent words too: bm25s's own way
        return bm25.get_scores(tokens)
    matrix = bm25.scores
    ids = np.asarray(bm25.get_tokens_ids(tokens), dtype=np.int64)
    return kernels.postings_sum(matrix["indptr"], matrix["indices"], matrix["data"], ids, matrix["num_docs"])


def _split(text: str) -> list[str]:
    return text.split()


CHAR_NGRAMS = (2, 4)


def char_ngrams(text: str) -> list[str]:
    """The character n-grams the title index is fitted on: lower-cased, each word padded with one space on
    either side, every n-gram of 2 to 4 characters inside a padded word (a padded word shorter than n gives
    itself once). These are scikit-learn's `analyzer="char_wb"` n-grams, worked out here so that answering a
    query does not import scikit-learn (about 0.7 s of a warm start)."""
    grams: list[str] = []
    low, high = CHAR_NGRAMS
    for word in text.lower().split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                grams.append(padded)
                break
            grams.extend(padded[i:i + n] for i in range(size - n + 1))
    return grams


_PREPOSITION = re.compile(r"\b(?:of|for|in|at|on|to|with|by|from)\b", re.IGNORECASE)
# Where what names the worker in a title ends and what qualifies it begins ("Director of Nursing", "Tech (...)").
_QUALIFIED = re.compile(r"\(|\s(?:of|for|in|at|to|on|with)\s", re.IGNORECASE)
# A title whose commas list the things worked on ("Heating, Air Conditioning, and Refrigeration Mechanic"), which is
# not a DOT-style inverted one ("Salesperson, Shoes", "Cooks, Institution and Cafeteria").
_LISTED = re.compile(r",\s*(?:and|or|&)\s", re.IGNORECASE)
# The weight of a title the text meets without naming its worker (`TitleIndex._headed`). On O*NET's own check
# (`scripts/lead_check.py`, held-out descriptions and tasks, at the shipped first-sentence weight) 1, 0.75, 0.5 and
# 0.25 gave top-1 70.2%, 71.4%, 71.8% and 71.1% with a summary and tasks, 45.8%, 45.8%, 45.5% and 45.5% with tasks
# alone (the worker as the title's last word, on the schema-11 build; read before what qualifies it, 0.5 gave 72.2%
# and 45.3%; as shipped, on a schema-12 build, 71.6% and 45.0%).
UNNAMED_WORKER = 0.5
# What a TitleIndex works out from its documents on first use, and so neither pickles nor needs to.
_DERIVED = frozenset({"_compiled", "_endings", "heads", "word_titles", "word_pairs", "_docs_of"})
INCUMBENT_SOURCE = "02"  # O*NET's source code for "Incumbent Data - O*NET Data Collection"


def incidental_listings(docs: Sequence[TitleDoc]) -> dict[str, np.ndarray]:
    """One-word titles that only an occupation's incumbents reported, that the occupation uses in none of its
    other titles, while other occupations use the word in longer titles. O*NET's survey of Urologists
    brought in a bare "Owner" (a urologist who owns a practice), which no other Urologists title says, while
    "Agency Owner" belongs to Chief Executives: such a listing tells who happened to answer, not what the
    word means, so a one-word query does not match it (`TitleIndex` mutes it); longer queries still do.
    Listings from other sources (the DOT, the SOC index, the Census, job postings) were placed there
    deliberately and are kept, as is an occupation's own title.

    Returns each such word (normalised) with the documents that list it incidentally."""
    holders: dict[str, dict[int, int]] = {}  # word -> occupation -> how many of its titles hold the word
    in_longer: dict[str, set[int]] = {}  # word -> occupations using it in a title of two or more words
    for d in docs:
        words = d.normalized.split()
        for word in set(words):
            counts = holders.setdefault(word, {})
            counts[d.code_index] = counts.get(d.code_index, 0) + 1
            if len(words) > 1:
                in_longer.setdefault(word, set()).add(d.code_index)
    muted: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        word = d.normalized
        if (d.kind != "title" and d.sources == {INCUMBENT_SOURCE} and word and " " not in word
                and holders[word][d.code_index] == 1 and in_longer.get(word, set()) - {d.code_index}):
            muted.setdefault(word, []).append(i)
    return {word: np.array(found, dtype=np.int64) for word, found in muted.items()}


class TitleIndex:
    """Misspelt, abbreviated or inverted titles meet O*NET's titles through character n-grams."""

    def __init__(self, docs: list[TitleDoc], n_codes: int, verbs: Iterable[str] = ()) -> None:
        """`verbs`: the verbs O*NET's tasks begin with (see `WordStems`)."""
        self.docs = docs
        self.n_codes = n_codes
        self.doc_codes = np.array([d.code_index for d in docs], dtype=np.int32)
        normalized = [d.normalized for d in docs]
        from sklearn.feature_extraction.text import TfidfVectorizer  # fitting only: queries use what it learnt

        chars = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, dtype=np.float32)
        words = TfidfVectorizer(analyzer=_split, sublinear_tf=True, dtype=np.float32)
        # Column-major: a query touches only the columns of its own n-grams.
        self.char_matrix = chars.fit_transform(normalized).tocsc()
        self.word_matrix = words.fit_transform(normalized).tocsc()
        self.char_vocabulary: dict[str, int] = chars.vocabulary_
        self.word_vocabulary: dict[str, int] = words.vocabulary_
        self.char_idf = chars.idf_.astype(np.float32)
        self.word_idf = words.idf_.astype(np.float32)
        self.exact: dict[str, list[int]] = {}
        for d in docs:
            codes = self.exact.setdefault(d.normalized, [])
            if d.code_index not in codes:
                codes.append(d.code_index)
        self.muted = incidental_listings(docs)
        self.stems = WordStems(verbs)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.3)  # titles as documents of stems, for `mention_scores`
        self.bm25.index([self.stems.tokens(d.text) or ["_"] for d in docs], show_progress=False)
        vocabulary = self.bm25.vocab_dict
        self.head_stems = np.array([vocabulary.get(self._head_stem(d.text), -1) for d in docs], dtype=np.int64)

    def _head_stem(self, text: str) -> str:
        """The stem of the word that names the worker in a title: the last before what qualifies it ("Director of
        Nursing": director; "Auto Repair Tech (Automotive Repair Technician)": tech), read the right way round
        ("Salesperson, Shoes": salesperson) unless its commas list what the worker works on ("Truck, Car, and Bus
        Cleaner": cleaner)."""
        listed = _LISTED.search(text.partition("(")[0])
        named = _QUALIFIED.split(text if listed else uninvert(text), maxsplit=1)[0]
        stems = self.stems.tokens(named) or self.stems.tokens(text)
        return stems[-1] if stems else ""

    def ensure_column_major(self) -> None:
        """Indexes pickled by an earlier build kept row-major matrices; convert them once on load."""
        if self.char_matrix.format != "csc":
            self.char_matrix = self.char_matrix.tocsc()
        if self.word_matrix.format != "csc":
            self.word_matrix = self.word_matrix.tocsc()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}  # worked out again after loading

    def __setstate__(self, state: dict) -> None:
        # Indexes built before the vocabularies were kept on their own hold the fitted vectorizers instead.
        for kind in ("char", "word"):
            fitted = state.pop("chars" if kind == "char" else "words", None)
            if fitted is not None:
                state[f"{kind}_vocabulary"] = fitted.vocabulary_
                state[f"{kind}_idf"] = fitted.idf_.astype(np.float32)
        self.__dict__.update(state)

    @property
    def compiled(self) -> _Compiled:
        done = self.__dict__.get("_compiled")
        if done is None:
            self.ensure_column_major()
            done = _Compiled(_csc_arrays(self.char_matrix), _csc_arrays(self.word_matrix),
                             self.doc_codes.astype(np.int64))
            self.__dict__["_compiled"] = done
        return done

    def _queries(self, titles: Sequence[str]) -> tuple:
        """The kernels' query arguments for `titles` (normalised here)."""
        c = self.compiled
        chars, words, mutes = [], [], []
        for title in titles:
            query = normalize_title(title)
            chars.append(_query_columns(char_ngrams, self.char_vocabulary, self.char_idf, query) if query else _EMPTY)
            words.append(_query_columns(_split, self.word_vocabulary, self.word_idf, query) if query else _EMPTY)
            mutes.append(self.muted.get(query, _NONE))
        mute_ptr = np.zeros(len(mutes) + 1, dtype=np.int64)
        mute_ptr[1:] = np.cumsum([m.shape[0] for m in mutes])
        mute_docs = np.concatenate(mutes) if mutes else _NONE
        return (len(self.docs), c.char_matrix, *_stacked(chars), c.word_matrix, *_stacked(words), mute_ptr, mute_docs)

    def similarities(self, title: str) -> np.ndarray:
        """Cosine similarity of the normalised query title with every title document (the mean of its
        character n-gram and word TF-IDF cosines)."""
        return kernels.title_similarities(*self._queries([title]))[0]

    def occupation_scores_many(self, titles: Sequence[str], top: int = 3
                               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`occupation_scores(similarities(title))` for each title, as (titles, occupations) arrays: one
        compiled call that does not hold Python's lock."""
        c = self.compiled
        return kernels.title_scores(*self._queries(titles), c.doc_codes, self.n_codes, top, TITLE_POOL)

    def title_endings(self) -> dict[str, set[int]]:
        """Every ending of a listed title shorter than the title ("installer" and "panel installer" of "Solar Panel
        Installer"), with the occupations that list a title ending so."""
        out: dict[str, set[int]] = {}
        for d in self.docs:
            words = d.normalized.split()
            for n in range(1, len(words)):
                out.setdefault(" ".join(words[n:]), set()).add(d.code_index)
        return out

    @cached_property
    def heads(self) -> dict[str, int]:
        """Each word that ends a listed title (its head noun: "driver" of "Truck Driver"), with how many occupations
        list a title ending in it; worked out on first use. A title with a preposition ("Director of Nursing") or a
        parenthesis has its head elsewhere and is left out."""
        holders: dict[str, set[int]] = {}
        for d in self.docs:
            if "(" in d.text or _PREPOSITION.search(d.text):
                continue
            words = d.normalized.split()
            if words:
                holders.setdefault(words[-1], set()).add(d.code_index)
        return {word: len(codes) for word, codes in holders.items()}

    @cached_property
    def word_titles(self) -> dict[str, int]:
        """Each word of the listed titles (normalised), with how many titles use it; worked out on first use."""
        counts: dict[str, int] = {}
        for d in self.docs:
            for word in set(d.normalized.split()):
                counts[word] = counts.get(word, 0) + 1
        return counts

    @cached_property
    def word_pairs(self) -> frozenset[str]:
        """Every two adjacent words of a listed title ("operating room" of "Operating Room Nurse"); worked out on
        first use."""
        return frozenset(" ".join(words[n:n + 2]) for d in self.docs
                         for words in [d.normalized.split()] for n in range(len(words) - 1))

    @cached_property
    def _endings(self) -> dict[str, int]:
        return {key: len(codes.difference(self.exact.get(key, ()))) for key, codes in self.title_endings().items()}

    def endings(self, title: str) -> int:
        """How many occupations that do not list `title` word for word list a title that ends in it (for "Installer",
        those listing "Drywall Installer" and not "Installer"): how many more kinds of worker may give it as a
        short name for their job. The counts are worked out on first use (about a fifth of a second)."""
        return self._endings.get(normalize_title(title), 0)

    def exact_scores(self, title: str) -> np.ndarray:
        """1 for each occupation that lists this title word for word (after normalisation).

        One-word titles are left out: a bare "Owner" or "Supervisor" is listed under whichever occupation
        happened to report it, and says little about which occupation the person has.
        """
        out = np.zeros(self.n_codes, dtype=np.float32)
        query = normalize_title(title)
        if len(query.split()) < 2:
            return out
        codes = self.exact.get(query, [])
        for c in codes:
            out[c] = 1.0
        return out

    def exact_share(self, title: str) -> np.ndarray:
        """1/m for each of the m occupations listing this exact title, one-word titles included.

        Not a ranking channel (see `exact_scores`): it tells the confidence model how unambiguous a
        word-for-word match is.
        """
        out = np.zeros(self.n_codes, dtype=np.float32)
        query = normalize_title(title)
        muted = {self.docs[i].code_index for i in self.muted.get(query, ())}
        codes = [c for c in self.exact.get(query, []) if c not in muted]
        for c in codes:
            out[c] = 1.0 / len(codes)
        return out

    def occupation_scores(self, sims: np.ndarray, top: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per occupation: best similarity, mean of its `top` best titles, and which title was best."""
        return group_top(sims, self.doc_codes, self.n_codes, top, TITLE_POOL)

    def mention_scores(self, text: str, top: int = 5, worker: str | None = None) -> np.ndarray:
        """BM25 of free text against titles, summed over each occupation's best titles.

        Descriptions name the work in words that its titles use ("operates zigzag sewing machine"), so
        titles are matched as documents against the description's words, both as stems ("assembles
        trophies" meets "Trophy Assembler"). A job title given beside the text (`worker`) names a worker too: with
        "Operator", "I run a forklift" meets "Forklift Operator" whole.
        """
        tokens = [t for t in self.stems.tokens(_without_doing(text)) if t in self.bm25.vocab_dict]
        out = np.zeros(self.n_codes, dtype=np.float32)
        if not tokens:
            return out
        scores = self._headed(bm25_scores(self.bm25, tokens).astype(np.float32), tokens, worker)
        _, mean, _ = group_top(scores, self.doc_codes, self.n_codes, top, MENTION_POOL, keep_ties=False)
        return mean * top

    def mentioned(self, text: str, codes: Iterable[int],
                  worker: str | None = None) -> dict[int, tuple[TitleDoc, list[str], float]]:
        """For each occupation of `codes`, the title of its own that `text` names best (the BM25 of
        `mention_scores`), the words of `text` it shares, as they were written, and the share of the title's words
        they are: the evidence for that channel. Occupations whose titles share no word with the text are left out.
        `worker` as for `mention_scores`."""
        words = text_tokens(_without_doing(text))
        said: dict[str, list[str]] = {}
        for word in words:
            said.setdefault(self.stems(word), []).append(word)
        tokens = [t for t in said if t in self.bm25.vocab_dict]
        if not tokens:
            return {}
        scores = self._headed(bm25_scores(self.bm25, tokens), tokens, worker)
        out = {}
        for code in codes:
            docs = self._docs_of[code]
            if not len(docs):
                continue
            best = int(docs[np.argmax(scores[docs])])
            if scores[best] <= 0:
                continue
            doc = self.docs[best]
            own = dict.fromkeys(self.stems.tokens(doc.text))
            shared = [said[t][0] for t in own if t in said]
            out[code] = (doc, shared, len(shared) / max(len(own), 1))
        return out

    def _headed(self, scores: np.ndarray, tokens: Sequence[str], worker: str | None = None) -> np.ndarray:
        """`scores` of the titles whose worker neither the text nor the job title (`worker`) names (`head_stems`)
        weighed at `UNNAMED_WORKER`: a title met only in what it qualifies is weaker evidence ("I repair cars and
        trucks" names the objects of "Truck, Car, and Bus Cleaner", not the cleaner, where "Car Repairer" is met
        whole)."""
        named = list(tokens) + (self.stems.tokens(worker) if worker else [])
        weight = np.full(len(self.bm25.vocab_dict) + 1, UNNAMED_WORKER, dtype=scores.dtype)  # the last: no head (-1)
        weight[[self.bm25.vocab_dict[t] for t in named if t in self.bm25.vocab_dict]] = 1
        return scores * weight[self.head_stems]

    @cached_property
    def _docs_of(self) -> list[np.ndarray]:
        """Each occupation's title documents (indices into `docs`)."""
        order = np.argsort(self.doc_codes, kind="stable")
        bounds = np.searchsorted(self.doc_codes[order], np.arange(self.n_codes + 1))
        return [order[bounds[c]:bounds[c + 1]] for c in range(self.n_codes)]


class OccupationBM25:
    """BM25 over one document per occupation (titles, tasks, DWAs, description, technology)."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.bm25 = bm25s.BM25(k1=1.5, b=0.75)
        self.bm25.index([d or ["_"] for d in documents], show_progress=False)
        self.vocabulary = self.bm25.vocab_dict

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in text_tokens(text) if t in self.vocabulary]
        if not tokens:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return bm25_scores(self.bm25, tokens).astype(np.float32)
