"""A scripted coding engine and case-file helpers for the evaluation tests.

The engine answers from a table keyed by the first non-empty query field, with the confidences the test
gives, and can answer differently for each channel group (`only`), so ablations can be checked by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from retrieval.models import Candidate, CodingResult, Match, Query, SocHierarchy
from retrieval.onet import KnowledgeBase, Occupation, SocGroup, Taxonomy

OCCUPATIONS = {
    "11-1011.00": "Chief Executives",
    "11-1021.00": "General and Operations Managers",
    "29-1141.00": "Registered Nurses",
    "29-1141.01": "Acute Care Nurses",
    "29-1171.00": "Nurse Practitioners",
    "29-1211.00": "Anesthesiologists",
    "29-1229.01": "Allergists and Immunologists",
    "43-4051.00": "Customer Service Representatives",
    "51-6021.00": "Pressers, Textile, Garment, and Related Materials",
    "51-6031.00": "Sewing Machine Operators",
}
GROUPS = [
    ("11-0000", "Management Occupations", "major", None),
    ("11-1000", "Top Executives", "minor", "11-0000"),
    ("11-1010", "Chief Executives", "broad", "11-1000"),
    ("11-1011", "Chief Executives", "detailed", "11-1010"),
    ("11-1020", "General and Operations Managers", "broad", "11-1000"),
    ("11-1021", "General and Operations Managers", "detailed", "11-1020"),
    ("29-0000", "Healthcare Practitioners and Technical Occupations", "major", None),
    ("29-1000", "Healthcare Diagnosing or Treating Practitioners", "minor", "29-0000"),
    ("29-1140", "Registered Nurses", "broad", "29-1000"),
    ("29-1141", "Registered Nurses", "detailed", "29-1140"),
    ("29-1170", "Nurse Practitioners", "broad", "29-1000"),
    ("29-1171", "Nurse Practitioners", "detailed", "29-1170"),
    # Physicians: one broad group whose detailed codes do not share its code's prefix.
    ("29-1210", "Physicians", "broad", "29-1000"),
    ("29-1211", "Anesthesiologists", "detailed", "29-1210"),
    ("29-1229", "Physicians, All Other", "detailed", "29-1210"),
    ("43-0000", "Office and Administrative Support Occupations", "major", None),
    ("43-4000", "Information and Record Clerks", "minor", "43-0000"),
    ("43-4050", "Customer Service Representatives", "broad", "43-4000"),
    ("43-4051", "Customer Service Representatives", "detailed", "43-4050"),
    ("51-0000", "Production Occupations", "major", None),
    ("51-6000", "Textile, Apparel, and Furnishings Workers", "minor", "51-0000"),
    ("51-6020", "Pressers, Textile, Garment, and Related Materials", "broad", "51-6000"),
    ("51-6021", "Pressers, Textile, Garment, and Related Materials", "detailed", "51-6020"),
    ("51-6030", "Sewing Machine Operators", "broad", "51-6000"),
    ("51-6031", "Sewing Machine Operators", "detailed", "51-6030"),
]

Answer = list[tuple[str, float]]


def build_taxonomy() -> Taxonomy:
    return Taxonomy(
        groups={code: SocGroup(code, title, level) for code, title, level, _ in GROUPS},
        onetsoc_to_soc={code: code[:7] for code in OCCUPATIONS},
        parents={code: parent for code, _, _, parent in GROUPS if parent},
    )


def build_kb() -> KnowledgeBase:
    occupations = {code: Occupation(code=code, title=title, description=f"{title} do things.", soc_code=code[:7])
                   for code, title in OCCUPATIONS.items()}
    return KnowledgeBase(release="O*NET test", occupations=occupations, taxonomy=build_taxonomy())


class ScriptedEngine:
    """Answers `answers[key]` (codes with confidences) for the full ranking, `by_group[group][key]` for `only`."""

    release = "O*NET test"
    engine_version = "0.0.0+fake"

    def __init__(self, answers: dict[str, Answer], by_group: dict[str, dict[str, Answer]] | None = None) -> None:
        self.kb = build_kb()
        self.answers = answers
        self.by_group = by_group or {}
        self.calls: list[dict[str, object]] = []

    def code(self, title: str | None = None, description: str | None = None, industry: str | None = None,
             k: int = 10, only: Sequence[str] | None = None) -> CodingResult:
        self.calls.append({"title": title, "description": description, "industry": industry, "k": k,
                           "only": None if only is None else list(only)})
        key = title or description or industry or ""
        table = self.answers if only is None else self.by_group.get("+".join(only), {})
        candidates = [
            Candidate(
                rank=i + 1, code=code, title=OCCUPATIONS[code], soc_code=code[:7], soc=SocHierarchy(),
                score=1.0 / (i + 1), confidence=confidence,
                evidence=[Match(channel="title", kind="alternate_title", text=f"{OCCUPATIONS[code]} title",
                                matched_words=[key.lower()], score=0.9),
                          Match(channel="dense", kind="task", text=f"A task of {OCCUPATIONS[code]}.", score=0.5)],
            )
            for i, (code, confidence) in enumerate(table.get(key, [])[:k])
        ]
        return CodingResult(query=Query(title=title, description=description, industry=industry),
                            candidates=candidates, release=self.release, engine_version=self.engine_version,
                            elapsed_ms=2.0)


def case_line(case_id: str, title: str | None, gold: list[str], level: str = "onetsoc",
              description: str | None = None, industry: str | None = None) -> dict[str, object]:
    return {"id": case_id, "title": title, "description": description, "industry": industry, "gold": gold,
            "gold_level": level, "source": "test"}


def write_cases(path: Path, lines: Sequence[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def small_answers() -> tuple[dict[str, Answer], dict[str, dict[str, Answer]]]:
    """Answers for `small_case_lines`: two right, two confidently wrong; and what each channel alone says."""
    full = {
        "zigzag": [("51-6031.00", 0.95), ("51-6021.00", 0.03)],
        "presser": [("51-6031.00", 0.9), ("51-6021.00", 0.05)],
        "nurse": [("29-1141.00", 0.7)],
        "ceo": [("11-1021.00", 0.6), ("43-4051.00", 0.1)],
    }
    by_group = {
        "title": {"zigzag": [("51-6031.00", 0.5)], "presser": [("51-6021.00", 0.5)]},
        "dense": {"nurse": [("29-1141.00", 0.5)]},
    }
    return full, by_group


def small_case_lines() -> list[object]:
    """Five valid cases (one with no title), one line that is not JSON and one with an unknown gold code."""
    return [
        case_line("a", "zigzag", ["51-6031.00"]),
        case_line("b", "presser", ["51-6021.00"]),
        '{"id": "broken", "title": ',
        case_line("c", "nurse", ["29-1141.01", "29-1171.00"]),
        case_line("d", "ceo", ["11-1011.00"]),
        case_line("e", "zigzag", ["51-6301.00"]),
        case_line("f", None, ["51-6031.00"], description="sews"),
    ]
