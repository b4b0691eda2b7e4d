"""Test doubles for the app: an engine over the fixture release, and tiny case files."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.errors import OcaError
from retrieval.models import Candidate, CodingResult, Match, Query, SearchHit, SocHierarchy, SocLevel
from retrieval.onet import KnowledgeBase

APP = Path(__file__).parents[2] / "ui" / "app.py"


class FakeEngine:
    """Ranks the fixture occupations by the words their titles share with the query; records its calls. A title in
    capitals is read in lower case, as the engine reads some titles otherwise than written."""

    release = "O*NET 29.3"
    engine_version = "fake-1"

    def __init__(self, kb: KnowledgeBase, *, error: OcaError | None = None) -> None:
        self.kb = kb
        self.error = error
        self.calls: list[dict[str, object]] = []

    def code(self, title: str | None = None, description: str | None = None, industry: str | None = None,
             k: int = 10, only: object = None) -> CodingResult:
        self.calls.append({"title": title, "description": description, "industry": industry, "k": k})
        if self.error is not None:
            raise self.error
        query = Query(title=title, description=description, industry=industry)
        words = set(" ".join(filter(None, (title, description, industry))).lower().split())
        ranked = sorted(self.kb.occupations.values(),
                        key=lambda occ: (-len(words & set(occ.title.lower().split())), occ.code))[:k]
        candidates = []
        for rank, occ in enumerate(ranked, start=1):
            shared = sorted(words & set(occ.title.lower().split()))
            candidates.append(Candidate(
                rank=rank, code=occ.code, title=occ.title, soc_code=occ.soc_code,
                soc=SocHierarchy(detailed=SocLevel(code=occ.soc_code, title=occ.title)),
                score=1.0 / rank, confidence=round(0.9 / rank, 4), channels={"title": 1.0 / rank},
                evidence=[Match(channel="title", kind="title", text=occ.title, matched_words=shared, score=0.5)],
            ))
        read_as = query.model_copy(update={"title": title.lower()}) if title and title.isupper() else None
        return CodingResult(query=query, read_as=read_as, candidates=candidates, release=self.release,
                            engine_version=self.engine_version, elapsed_ms=1.5)

    def search(self, query: str, k: int = 20) -> list[SearchHit]:
        words = set(query.lower().split())
        return [SearchHit(code=occ.code, title=occ.title, score=1.0)
                for occ in self.kb.occupations.values() if words & set(occ.title.lower().split())][:k]


def case_line(case_id: str, title: str, gold: list[str], gold_level: str = "onetsoc") -> str:
    return json.dumps({"id": case_id, "title": title, "description": None, "industry": None, "gold": gold,
                       "gold_level": gold_level, "source": "test"})

GOOD_CASES = "\n".join([
    case_line("c1", "registered nurses", ["29-1141.00"]),
    case_line("c2", "cashiers", ["41-2011"], "soc"),
    case_line("c3", "retail salespersons", ["41-2031.00"]),
    case_line("c4", "software developers", ["15-1252.00"]),
]) + "\n"
