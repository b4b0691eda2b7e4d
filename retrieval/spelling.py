"""Misspelt words of a title or industry put right, towards the words O*NET itself uses.

Write-ins are misspelt ("CLARICAL", "COMPUTER PROGRAMER", "MANGER"). Character n-grams forgive a letter or
two in a long word, but a misspelt word can sit closer to another occupation's word ("clarical" shares more
with "clarifying" than with "clerical"). A word is left alone when O*NET's vocabulary (every word of its
titles, tasks, DWAs and descriptions) has it, when it is an abbreviation the title normaliser expands, when
it is shorter than five letters, when it is two known words run together ("floorworker"), or when a full
stop marks it as an abbreviation (the DOT's "profess." or "nonfer."). Otherwise it becomes the closest word
of O*NET's titles within one edit (words of up to five letters) or two (SymSpell, `symspellpy`). Among
equally close words, the commonest in general English (the word frequencies symspellpy ships) is taken when
it is three times as common as the next; at two edits, none is taken when several are as close. "casher"
is as near "washer" as "cashier", "personell" as "personal" as "personnel": the title matching's character
n-grams then read the word as written. A word of general English stays itself unless the correction is
fifty times as common: "manger" becomes "manager", "chairman" does not become O*NET's "chainman".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from importlib import resources

from retrieval.normalize import ABBREVIATIONS, STOPWORDS, singular

MIN_LETTERS = 5  # shorter words are as often abbreviations ("terr", "regl", "hvas") as misspellings
SHORT_WORD = 5  # words up to this long are corrected within one edit, longer ones within two
COMMONER = 50  # how much commoner in English the correction must be than a real English word it replaces
CLEAR_LEAD = 3  # among equally close words, the commonest is taken only when three times as common as the next
MEMO = 50_000  # words and texts whose reading is remembered (a batch repeats its titles and industries)
_UNSEEN = object()
_WORDS = re.compile(r"([A-Za-z]+)(\.?)")  # a word and the full stop that marks it an abbreviation ("profess.")


class Speller:
    """`correct(text)`: `text` with the words O*NET does not use replaced by the closest ones it does.

    The SymSpell index is built on the first unknown word (about a tenth of a second), so a process whose
    queries are all spelt right never pays for it."""

    def __init__(self, vocabulary: Iterable[str], targets: Iterable[str] | None = None) -> None:
        """`vocabulary`: the words left as they are; `targets`: the words a misspelling may become (all of
        `vocabulary` when not given)."""
        self._vocabulary = frozenset(vocabulary)
        self._targets = self._vocabulary if targets is None else frozenset(targets)
        self._lock = threading.Lock()
        self._symspell = None
        self._english: dict[str, int] = {}
        self._words: dict[str, str | None] = {}  # lower-case word -> its correction (None: left as written)
        self._texts: dict[str, str] = {}  # text -> the text corrected
        self._learnt: set[str] = set()

    def learn(self, text: str) -> None:
        """Leave the words of `text` alone from now on, though O*NET does not use them (an approved lay title)."""
        self._learnt.update(m.group(1).lower() for m in _WORDS.finditer(text))
        self._words.clear()
        self._texts.clear()

    def known(self, word: str) -> bool:
        """Whether `word` (lower case) is left as written: see the module docstring."""
        return (len(word) < MIN_LETTERS or self._has(word) or word in ABBREVIATIONS or word in STOPWORDS
                or word in self._learnt or self._compound(word))

    def _has(self, word: str) -> bool:
        return word in self._vocabulary or singular(word) in self._vocabulary

    def _compound(self, word: str) -> bool:
        """Two known words written as one ("floorworker", "realestate")."""
        return any(self._has(word[:i]) and self._has(word[i:]) for i in range(3, len(word) - 2))

    def correct(self, text: str | None) -> str | None:
        if not text:
            return text
        found = self._texts.get(text)
        if found is None:
            found = _WORDS.sub(lambda m: m.group(0) if m.group(2) else self.word(m.group(1)), text)
            _remember(self._texts, text, found)
        return found

    def word(self, word: str) -> str:
        """The correction of one word (itself when it is known or nothing is close enough)."""
        key = word.lower()
        found = self._words.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = None if self.known(key) else self._closest(key)
            _remember(self._words, key, found)
        return found or word

    def _closest(self, word: str) -> str | None:
        from symspellpy import Verbosity

        symspell = self._index()
        found = symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=1 if len(word) <= SHORT_WORD else 2)
        if not found:
            return None
        count = [self._english.get(s.term, 0) for s in found]  # SymSpell orders the closest by these counts
        if len(found) > 1 and (found[0].distance > 1 or count[0] < CLEAR_LEAD * count[1]):
            return None  # "casher": washer or cashier? the character n-grams of the word as written decide
        if count[0] < COMMONER * self._english.get(word, 0):
            return None
        return found[0].term

    def _index(self):
        if self._symspell is None:
            with self._lock:
                if self._symspell is None:
                    from symspellpy import SymSpell

                    english: dict[str, int] = {}
                    listing = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
                    for line in listing.read_text(encoding="utf-8").splitlines():
                        term, _, count = line.partition(" ")
                        if count.isdigit():
                            english[term] = int(count)
                    symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)  # a tenth of a second to build
                    for term in self._targets:
                        if len(term) >= MIN_LETTERS - 1 and term.isalpha():
                            symspell.create_dictionary_entry(term, english.get(term, 0) + 1)
                    self._english = english
                    self._symspell = symspell
        return self._symspell


def _remember(memo: dict, key: str, value) -> None:
    if len(memo) >= MEMO:
        memo.clear()
    memo[key] = value
