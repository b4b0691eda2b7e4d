"""What the engine answers: ranked candidates with their evidence. These shapes are the `--json` schema."""

from __future__ import annotations

from pydantic import BaseModel, Field

SCHEMA_VERSION = "1"


class Query(BaseModel):
    title: str | None = None
    description: str | None = None
    industry: str | None = None

    def is_empty(self) -> bool:
        return not any((v or "").strip() for v in (self.title, self.description, self.industry))


class SocLevel(BaseModel):
    code: str
    title: str


class SocHierarchy(BaseModel):
    major: SocLevel | None = None
    minor: SocLevel | None = None
    broad: SocLevel | None = None
    detailed: SocLevel | None = None


class Match(BaseModel):
    """One piece of evidence: an O*NET text that matched, and the words of the input it matched on."""

    channel: str = Field(description="title | lexical | dense | industry | mention")
    kind: str = Field(description="what matched: title, alternate_title, reported_title, direct_match_title, task, dwa, description, occupation")
    text: str
    matched_words: list[str] = Field(default_factory=list)
    score: float = 0.0


class Candidate(BaseModel):
    rank: int
    code: str = Field(description="O*NET-SOC 2019 code, e.g. 29-1141.00")
    title: str
    soc_code: str = Field(description="2018 SOC detailed code, e.g. 29-1141")
    soc: SocHierarchy
    score: float = Field(description="fused ranking score (comparable within one answer only)")
    confidence: float = Field(ge=0.0, le=1.0, description="calibrated probability that this code is right")
    channels: dict[str, float] = Field(default_factory=dict, description="raw score of each evidence channel (scales differ)")
    evidence: list[Match] = Field(default_factory=list)


class CodingResult(BaseModel):
    schema_version: str = SCHEMA_VERSION
    query: Query
    read_as: Query | None = Field(
        default=None, description="the query as the engine ranked it, when that differs from what was asked: "
        "misspelt words put right, a title read as O*NET names the job (\"TRUCK DRIVING\": \"truck driver\"), an "
        "employer named by its size alone left out of the description (\"for a small company\")")
    candidates: list[Candidate]
    release: str
    engine_version: str
    elapsed_ms: float

    def read_otherwise(self) -> dict[str, str]:
        """The fields `read_as` reads otherwise than asked, as read (empty when the query was read as written)."""
        if self.read_as is None:
            return {}
        return {name: value for name, value in self.read_as.model_dump().items()
                if value and value != getattr(self.query, name)}


class SearchHit(BaseModel):
    code: str
    title: str
    score: float
    matched_titles: list[str] = Field(default_factory=list)
    matched_tasks: list[str] = Field(default_factory=list)
