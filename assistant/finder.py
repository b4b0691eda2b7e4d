"""Find an occupation: search by title, keywords or code, narrowed by job family (SOC major group) and job zone.

A thin layer over `Engine.search` that adds what a person browsing needs and the engine does not return: each
hit's job family and job zone, filters over them, browsing a family without typing a query, and code prefixes
("29-11" lists every occupation under it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from retrieval.normalize import text_tokens
from retrieval.onet import KnowledgeBase

if TYPE_CHECKING:
    from retrieval.engine import Engine

# A code or the start of one: "29", "29-", "29-11", "29-1141", "29-1141.0", "29-1141.01".
CODE_PREFIX_RE = re.compile(r"^\d{2}(-\d{0,4}(\.\d{0,2})?)?$")
# Filters drop hits after the engine ranked them, so a filtered search asks the engine for more.
SEARCH_DEPTH = 30
FILTERED_SEARCH_DEPTH = 120


class JobFamily(BaseModel):
    code: str = Field(description="SOC 2018 major group, e.g. 29-0000")
    title: str


class FoundOccupation(BaseModel):
    code: str
    title: str
    soc_code: str
    family: JobFamily | None
    job_zone: int | None
    matched_titles: list[str] = Field(default_factory=list, description="alternate titles the query matched")
    matched_tasks: list[str] = Field(default_factory=list, description="task statements sharing the query's words")


class Finding(BaseModel):
    query: str
    words: list[str] = Field(description="the query's normalised words, for highlighting what matched")
    results: list[FoundOccupation]
    more: bool = Field(description="whether more occupations matched than `results` holds")
    elapsed_ms: float


def job_families(kb: KnowledgeBase) -> list[JobFamily]:
    """The SOC major groups that hold at least one occupation of the release, in code order."""
    used = {occ.soc_code[:2] + "-0000" for occ in kb.occupations.values() if occ.soc_code}
    groups = kb.taxonomy.groups
    return [JobFamily(code=code, title=groups[code].title if code in groups else code) for code in sorted(used)]


def job_zones(kb: KnowledgeBase) -> dict[int, str]:
    """Job zone number -> its O*NET name ("Job Zone Four: Considerable Preparation Needed")."""
    zones = {occ.job_zone for occ in kb.occupations.values() if occ.job_zone is not None}
    return {zone: kb.job_zone_names.get(zone, f"Job zone {zone}") for zone in sorted(zones)}


def find_occupations(engine: Engine, query: str, *, families: Collection[str] = (), zones: Collection[int] = (),
                     limit: int = 20) -> Finding:
    """Occupations for `query`, best first, keeping only the chosen families and zones (none chosen: all).

    An empty query with a filter lists the filter's occupations in code order, so a family can be browsed.
    """
    started = time.perf_counter()
    query = " ".join(query.split())
    kb = engine.kb
    families, zones = set(families), set(zones)

    def wanted(code: str) -> bool:
        occ = kb.occupations.get(code)
        if occ is None:
            return False
        if families and (occ.soc_code or code)[:2] + "-0000" not in families:
            return False
        return not zones or occ.job_zone in zones

    hits: list[tuple[str, list[str], list[str]]]
    if not query:
        hits = [(code, [], []) for code in sorted(kb.occupations)] if families or zones else []
    elif CODE_PREFIX_RE.match(query):
        hits = [(code, [], []) for code in sorted(kb.occupations) if code.startswith(query)]
    else:
        depth = FILTERED_SEARCH_DEPTH if families or zones else SEARCH_DEPTH
        hits = [(h.code, h.matched_titles, h.matched_tasks) for h in engine.search(query, k=max(depth, limit + 1))]

    kept = [hit for hit in hits if wanted(hit[0])]
    results = [_found(kb, code, titles, tasks) for code, titles, tasks in kept[:limit]]
    return Finding(query=query, words=text_tokens(query), results=results, more=len(kept) > limit,
                   elapsed_ms=round((time.perf_counter() - started) * 1000, 1))


def _found(kb: KnowledgeBase, code: str, titles: list[str], tasks: list[str]) -> FoundOccupation:
    occ = kb.occupations[code]
    major = (occ.soc_code or code)[:2] + "-0000"
    group = kb.taxonomy.groups.get(major)
    other_titles = [t for t in dict.fromkeys(titles) if t.casefold() != occ.title.casefold()]
    return FoundOccupation(
        code=code,
        title=occ.title,
        soc_code=occ.soc_code,
        family=JobFamily(code=major, title=group.title) if group is not None else None,
        job_zone=occ.job_zone,
        matched_titles=other_titles,
        matched_tasks=list(tasks),
    )
