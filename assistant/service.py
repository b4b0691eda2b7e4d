"""The product's entry points over retrieval: open the engine from Settings, and read an occupation's profile.

Front ends (CLI, Streamlit) come through here so that the mapping from configuration to the engine is
written once. The engine is imported lazily: `oca --help` should not pay for chroma and onnxruntime.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from assistant.settings import Settings
from retrieval.errors import UnknownCodeError
from retrieval.models import SocHierarchy, SocLevel
from retrieval.onet import SOC_RE, KnowledgeBase, normalize_code

if TYPE_CHECKING:
    from retrieval.engine import Engine

# Core tasks describe the occupation best; unrated and emerging ones are the least settled.
TASK_ORDER = {"core": 0, "supplemental": 1, "": 2, "emerging": 3}


def build_engine(settings: Settings, *, progress: bool = True, rebuild: bool = False,
                 lay_titles: bool = True) -> Engine:
    """Open (building when missing or stale) the engine that `settings` describes, with the lay titles
    analysts approved (unless `lay_titles` is False: the evaluation measures O*NET's titles alone)."""
    with _lasting_objects():
        return _build_engine(settings, progress=progress, rebuild=rebuild, lay_titles=lay_titles)


@contextlib.contextmanager
def _lasting_objects() -> Iterator[None]:
    """Make the engine's objects without the cyclic garbage collector, then leave them out of its passes.

    Opening the engine imports chroma and loads about a million objects (titles, vocabularies, taxonomy) that live
    as long as it does. The collector, run as they accumulate, traversed them all again and again; after that,
    each full pass of a running app went through them once more. With the collector paused while they are made,
    then one pass to free the garbage the imports left and `gc.freeze` (they stay freed by reference counting,
    as a dropped engine is: it holds no cycles), `scripts/bench.py`'s warm start took 3.1 and 3.2 s on two cores,
    where the code before, run in turns with it, took 4.1 and 3.7 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.collect()
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _build_engine(settings: Settings, *, progress: bool, rebuild: bool, lay_titles: bool) -> Engine:
    from retrieval.embedder import build_embedder
    from retrieval.engine import Engine

    settings.home.mkdir(parents=True, exist_ok=True)
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
    embedder = build_embedder(
        settings.embedder,
        model=settings.embedding_model,
        base_url=settings.embedding_base_url,
        api_key=api_key,
        cache_dir=settings.home / "models",
    )
    engine = Engine.open(
        settings.onet_dir,
        settings.taxonomy_dir,
        settings.home,
        embedder=embedder,
        chroma_url=settings.chroma_url,
        progress=progress,
        rebuild=rebuild,
    )
    if lay_titles:
        load_stored_lay_titles(engine, settings)
    return engine


def load_stored_lay_titles(engine: Engine, settings: Settings) -> int:
    """Teach the engine the lay titles in the database; a home without a database has none (and gets none).

    A database that cannot be opened costs the lay titles, with a warning, not the engine: coding from
    O*NET's own titles still works."""
    if settings.database_url is None and not (settings.home / "oca.sqlite3").is_file():
        return 0
    from assistant.review import load_lay_titles
    from assistant.store import Store, StoreError

    try:
        store = Store.open(settings.db_url)
    except StoreError as exc:
        logging.getLogger(__name__).warning("lay titles not loaded: %s", exc)
        return 0
    try:
        return load_lay_titles(store, engine)
    finally:
        store.close()


class TaskLine(BaseModel):
    text: str
    kind: str


class TechnologyLine(BaseModel):
    example: str
    commodity: str
    hot: bool


class RelatedOccupation(BaseModel):
    code: str
    title: str


class OccupationProfile(BaseModel):
    """What a coder reads to confirm a code: the occupation as O*NET describes it."""

    code: str
    title: str
    description: str
    soc_code: str
    soc: SocHierarchy
    alternate_titles: list[str]
    tasks: list[TaskLine]
    dwas: list[str]
    technology: list[TechnologyLine]
    tools: list[str]
    job_zone: int | None
    job_zone_name: str | None
    typical_education: str | None
    related: list[RelatedOccupation]


def soc_hierarchy(kb: KnowledgeBase, soc_code: str) -> SocHierarchy:
    levels = {group.level: SocLevel(code=group.code, title=group.title) for group in kb.taxonomy.hierarchy(soc_code)}
    return SocHierarchy(**{level: levels.get(level) for level in ("major", "minor", "broad", "detailed")})


def occupation_profile(kb: KnowledgeBase, code: str) -> OccupationProfile:
    """The profile of `code`; a bare SOC code ("29-1141") means its ".00" occupation."""
    wanted = normalize_code(code)
    if wanted not in kb.occupations:
        raise UnknownCodeError(_unknown_code_message(kb, code.strip()))
    occ = kb.occupations[wanted]
    tasks = sorted(occ.tasks, key=lambda t: TASK_ORDER.get(t.kind, 2))
    technology = sorted(occ.technology, key=lambda t: not t.hot)
    education = occ.typical_education
    return OccupationProfile(
        code=occ.code,
        title=occ.title,
        description=occ.description,
        soc_code=occ.soc_code,
        soc=soc_hierarchy(kb, occ.soc_code),
        alternate_titles=[alt.title for alt in occ.alt_titles],
        tasks=[TaskLine(text=t.text, kind=t.kind) for t in tasks],
        dwas=list(occ.dwas),
        technology=[TechnologyLine(example=t.example, commodity=t.commodity, hot=t.hot) for t in technology],
        tools=list(occ.tools),
        job_zone=occ.job_zone,
        job_zone_name=kb.job_zone_names.get(occ.job_zone) if occ.job_zone is not None else None,
        typical_education=kb.education_categories.get(education) if education is not None else None,
        related=[
            RelatedOccupation(code=rel, title=kb.occupations[rel].title if rel in kb.occupations else "")
            for rel in occ.related
        ],
    )


def _unknown_code_message(kb: KnowledgeBase, code: str) -> str:
    if SOC_RE.match(code):
        under = sorted(c for c in kb.occupations if c.startswith(code + "."))
        if under:
            return (
                f"{code} has no {code}.00 occupation in {kb.release}; it covers "
                f"{', '.join(under)}. Ask for one of those."
            )
    return (
        f"{code!r} is not an O*NET-SOC code of the {kb.release} release "
        "(codes look like 29-1141.00; find one with `oca search WORDS`)."
    )
