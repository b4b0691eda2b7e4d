"""Load an O*NET text release and the SOC 2018 taxonomy into typed, read-only records.

The loader reads the tab-delimited files by their official names and checks their headers, so that a
missing, truncated or renamed file is reported by name with what was expected, instead of surfacing as a
KeyError deep inside ranking.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.errors import ReleaseError
from retrieval.normalize import text_tokens

csv.field_size_limit(sys.maxsize)

ONETSOC_RE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
SOC_RE = re.compile(r"^\d{2}-\d{4}$")


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    text: str
    kind: str  # "core", "supplemental", "emerging" or "" (not rated)


@dataclass(frozen=True, slots=True)
class AltTitle:
    title: str
    short_title: str
    sources: str


@dataclass(frozen=True, slots=True)
class Tech:
    example: str
    commodity: str
    hot: bool


@dataclass(slots=True)
class Occupation:
    code: str
    title: str
    description: str
    soc_code: str = ""
    job_zone: int | None = None
    alt_titles: list[AltTitle] = field(default_factory=list)
    reported_titles: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    dwas: list[str] = field(default_factory=list)
    technology: list[Tech] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    education: dict[int, float] = field(default_factory=dict)  # required-level category -> share of respondents
    related: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.tasks)

    @property
    def typical_education(self) -> int | None:
        if not self.education:
            return None
        return max(self.education.items(), key=lambda kv: kv[1])[0]


@dataclass(frozen=True, slots=True)
class SocGroup:
    code: str
    title: str
    level: str  # major, minor, broad, detailed
    definition: str = ""


@dataclass(slots=True)
class Taxonomy:
    groups: dict[str, SocGroup] = field(default_factory=dict)
    onetsoc_to_soc: dict[str, str] = field(default_factory=dict)
    onetsoc2010_to_2019: dict[str, list[str]] = field(default_factory=dict)
    direct_match: dict[str, list[str]] = field(default_factory=dict)  # SOC detailed code -> titles
    parents: dict[str, str] = field(default_factory=dict)  # SOC group -> the group it sits in

    def hierarchy(self, soc_code: str) -> list[SocGroup]:
        """Major, minor, broad and detailed groups of a SOC detailed code (those the taxonomy knows)."""
        if soc_code in self.parents:
            # The structure file's nesting, not the code pattern: minor 15-1200 and broad 29-1210 break it.
            chain = [soc_code]
            while chain[-1] in self.parents:
                chain.append(self.parents[chain[-1]])
            return [self.groups[code] for code in reversed(chain) if code in self.groups]
        keys = [soc_code[:2] + "-0000", soc_code[:4] + "000", soc_code[:6] + "0", soc_code]
        out = []
        for key in keys:
            group = self.groups.get(key)
            if group is not None and (not out or out[-1].code != group.code):
                out.append(group)
        return out


@dataclass(slots=True)
class KnowledgeBase:
    release: str
    occupations: dict[str, Occupation]
    taxonomy: Taxonomy
    education_categories: dict[int, str] = field(default_factory=dict)
    job_zone_names: dict[int, str] = field(default_factory=dict)

    def occupation(self, code: str) -> Occupation:
        from retrieval.errors import UnknownCodeError

        code = normalize_code(code)
        if code not in self.occupations:
            raise UnknownCodeError(f"{code!r} is not an O*NET-SOC code of the {self.release} release.")
        return self.occupations[code]

    def soc_of(self, code: str) -> str:
        occ = self.occupations.get(code)
        return occ.soc_code if occ and occ.soc_code else code[:7]


def normalize_code(code: str) -> str:
    """'29-1141' -> '29-1141.00'; already complete codes are returned as they are."""
    code = code.strip()
    if SOC_RE.match(code):
        return code + ".00"
    return code


# Each file: the official name, names later releases use, and the headers it must have.
RELEASE_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "occupations": (("Occupation Data.txt",), ("O*NET-SOC Code", "Title", "Description")),
    "alt_titles": (
        ("Alternate Titles.txt", "Job Titles.txt"),
        ("O*NET-SOC Code", "Alternate Title|Job Title|Title"),
    ),
    "reported": (("Sample of Reported Titles.txt",), ("O*NET-SOC Code", "Reported Job Title")),
    "tasks": (("Task Statements.txt",), ("O*NET-SOC Code", "Task ID", "Task", "Task Type")),
    "emerging": (("Emerging Tasks.txt",), ("O*NET-SOC Code", "Task")),
    "task_dwas": (("Tasks to DWAs.txt",), ("O*NET-SOC Code", "Task ID", "DWA Title")),
    "technology": (
        ("Technology Skills.txt", "Software Skills.txt"),
        ("O*NET-SOC Code", "Example", "Commodity Title", "Hot Technology"),
    ),
    "tools": (("Tools Used.txt", "Tools.txt"), ("O*NET-SOC Code", "Example", "Commodity Title")),
    "job_zones": (("Job Zones.txt",), ("O*NET-SOC Code", "Job Zone")),
    "job_zone_ref": (("Job Zone Reference.txt",), ("Job Zone", "Name")),
    "education": (
        ("Education, Training, and Experience.txt",),
        ("O*NET-SOC Code", "Scale ID", "Category", "Data Value"),
    ),
    "education_cats": (
        ("Education, Training, and Experience Categories.txt",),
        ("Scale ID", "Category", "Category Description"),
    ),
    "related": (("Related Occupations.txt",), ("O*NET-SOC Code", "Related O*NET-SOC Code")),
}
REQUIRED = {"occupations", "alt_titles", "tasks"}

TAXONOMY_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "structure": ("soc2018_structure.txt", ("Major Group", "Minor Group", "Broad Group", "Detailed Occupation", "Title")),
    "definitions": ("soc2018_definitions.txt", ("SOC Group", "SOC Code", "SOC Title", "SOC Definition")),
    "onetsoc_to_soc": ("onetsoc2019_to_soc2018.txt", ("O*NET-SOC 2019 Code", "2018 SOC Code")),
    "onetsoc2010": ("onetsoc2010_to_onetsoc2019.txt", ("O*NET-SOC 2010 Code", "O*NET-SOC 2019 Code")),
    "direct_match": ("soc2018_direct_match_titles.txt", ("2018 SOC Code", "2018 SOC Direct Match Title")),
}


def task_verbs(kb: KnowledgeBase) -> set[str]:
    """The first words of O*NET's task statements ("Assemble", "Operate", "Inspect"): its verbs of work."""
    verbs = set()
    for occ in kb.occupations.values():
        for task in occ.tasks:
            words = text_tokens(task.text)
            if words:
                verbs.add(words[0])
    return verbs


def _resolve(directory: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        path = directory / name
        if path.is_file():
            return path
    return None


def _read_rows(path: Path, expected: tuple[str, ...]) -> tuple[list[str], list[list[str]], list[int]]:
    """Rows of a tab-delimited file and the column index of each expected header ('A|B' accepts either)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if not header:
                raise ReleaseError(f"{path} is empty: expected a tab-delimited header with {', '.join(expected)}.")
            header = [h.strip() for h in header]
            cols = []
            for want in expected:
                options = want.split("|")
                found = next((header.index(o) for o in options if o in header), None)
                if found is None:
                    raise ReleaseError(
                        f"{path} has no column {' or '.join(repr(o) for o in options)}; "
                        f"expected the columns {', '.join(expected)}, found {', '.join(header)}. "
                        "Is this an O*NET text release (db_XX_X_text)?"
                    )
                cols.append(found)
            width = max(cols) + 1
            rows = []
            for lineno, row in enumerate(reader, start=2):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) < width:
                    raise ReleaseError(
                        f"{path}, line {lineno}: {len(row)} fields where at least {width} were expected "
                        f"(columns {', '.join(header)})."
                    )
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise ReleaseError(f"{path} is not UTF-8 text ({exc}); O*NET text releases are UTF-8.") from exc
    return header, rows, cols


def _check_code(path: Path, lineno_hint: int, code: str) -> str:
    if not ONETSOC_RE.match(code):
        raise ReleaseError(f"{path}: {code!r} (row {lineno_hint}) is not an O*NET-SOC code like 29-1141.00.")
    return code


def load_release(onet_dir: Path | str, taxonomy_dir: Path | str | None = None) -> KnowledgeBase:
    """Read an O*NET text release (and, when given, the SOC 2018 taxonomy folder)."""
    onet_dir = Path(onet_dir)
    if not onet_dir.is_dir():
        raise ReleaseError(
            f"O*NET release folder {onet_dir} does not exist. Download db_XX_X_text.zip from the O*NET "
            "Resource Center, unzip it and set OCA_ONET_DIR to the folder."
        )
    paths: dict[str, Path | None] = {}
    for key, (names, _) in RELEASE_FILES.items():
        paths[key] = _resolve(onet_dir, names)
        if paths[key] is None and key in REQUIRED:
            present = sorted(p.name for p in onet_dir.iterdir())
            hint = ""
            if any(p.endswith(".csv") for p in present):
                hint = " The folder holds CSV files: use the text release (db_XX_X_text), not the CSV one."
            raise ReleaseError(
                f"{onet_dir} has no {' or '.join(names)}; found {', '.join(present[:12]) or 'nothing'}"
                f"{' ...' if len(present) > 12 else ''}.{hint}"
            )

    occupations: dict[str, Occupation] = {}
    path = paths["occupations"]
    _, rows, (c_code, c_title, c_desc) = _read_rows(path, RELEASE_FILES["occupations"][1])
    for i, row in enumerate(rows, start=2):
        code = _check_code(path, i, row[c_code].strip())
        occupations[code] = Occupation(code=code, title=row[c_title].strip(), description=row[c_desc].strip())
    if not occupations:
        raise ReleaseError(f"{path} lists no occupations.")

    def rows_of(key: str):
        p = paths[key]
        if p is None:
            return
        _, rows, cols = _read_rows(p, RELEASE_FILES[key][1])
        for row in rows:
            code = row[cols[0]].strip()
            occ = occupations.get(code)
            if occ is None:
                continue  # codes of other taxonomies (withdrawn occupations) are ignored
            yield occ, [row[c].strip() for c in cols]

    alt_path = paths["alt_titles"]
    _, alt_rows, alt_cols = _read_rows(alt_path, RELEASE_FILES["alt_titles"][1])
    with alt_path.open(encoding="utf-8-sig") as fh:
        header = fh.readline().rstrip("\n").split("\t")
    c_short = header.index("Short Title") if "Short Title" in header else None
    c_src = header.index("Source(s)") if "Source(s)" in header else None
    for row in alt_rows:
        occ = occupations.get(row[alt_cols[0]].strip())
        if occ is None:
            continue
        short = row[c_short].strip() if c_short is not None and c_short < len(row) else ""
        src = row[c_src].strip() if c_src is not None and c_src < len(row) else ""
        occ.alt_titles.append(AltTitle(row[alt_cols[1]].strip(), short, src))

    for occ, (_, title) in rows_of("reported"):
        occ.reported_titles.append(title)
    for occ, (_, task_id, text, kind) in rows_of("tasks"):
        occ.tasks.append(Task(task_id, text, kind.lower()))
    for occ, (_, text) in rows_of("emerging"):
        occ.tasks.append(Task("", text, "emerging"))
    seen_dwa: dict[str, set[str]] = defaultdict(set)
    for occ, (code, _, dwa) in rows_of("task_dwas"):
        if dwa not in seen_dwa[code]:
            seen_dwa[code].add(dwa)
            occ.dwas.append(dwa)
    for occ, (_, example, commodity, hot) in rows_of("technology"):
        occ.technology.append(Tech(example, commodity, hot.upper() == "Y"))
    for occ, (_, example, _commodity) in rows_of("tools"):
        occ.tools.append(example)
    for occ, (_, zone) in rows_of("job_zones"):
        occ.job_zone = int(zone) if zone.isdigit() else None
    for occ, (_, scale, category, value) in rows_of("education"):
        if scale == "RL" and category.isdigit():
            occ.education[int(category)] = float(value or 0)
    for occ, (_, related) in rows_of("related"):
        occ.related.append(related)

    education_categories: dict[int, str] = {}
    if paths["education_cats"] is not None:
        _, rows, (c_scale, c_cat, c_descr) = _read_rows(paths["education_cats"], RELEASE_FILES["education_cats"][1])
        for row in rows:
            if row[c_scale] == "RL" and row[c_cat].strip().isdigit():
                education_categories[int(row[c_cat])] = row[c_descr].strip()
    job_zone_names: dict[int, str] = {}
    if paths["job_zone_ref"] is not None:
        _, rows, (c_zone, c_name) = _read_rows(paths["job_zone_ref"], RELEASE_FILES["job_zone_ref"][1])
        job_zone_names = {int(r[c_zone]): r[c_name].strip() for r in rows if r[c_zone].strip().isdigit()}

    taxonomy = load_taxonomy(taxonomy_dir) if taxonomy_dir is not None else Taxonomy()
    for occ in occupations.values():
        occ.soc_code = taxonomy.onetsoc_to_soc.get(occ.code, occ.code[:7])
    return KnowledgeBase(
        release=release_name(onet_dir),
        occupations=occupations,
        taxonomy=taxonomy,
        education_categories=education_categories,
        job_zone_names=job_zone_names,
    )


def release_name(onet_dir: Path) -> str:
    """'O*NET 29.3' from the release's Read Me, else from the folder name (db_29_3_text)."""
    readme = onet_dir / "Read Me.txt"
    if readme.is_file():
        match = re.search(r"O\*NET\s+(\d+\.\d+)", readme.read_text(encoding="utf-8", errors="replace"))
        if match:
            return f"O*NET {match.group(1)}"
    match = re.search(r"db_(\d+)_(\d+)", onet_dir.name)
    if match:
        return f"O*NET {match.group(1)}.{match.group(2)}"
    return f"O*NET ({onet_dir.name})"


def load_taxonomy(taxonomy_dir: Path | str) -> Taxonomy:
    taxonomy_dir = Path(taxonomy_dir)
    if not taxonomy_dir.is_dir():
        raise ReleaseError(
            f"Taxonomy folder {taxonomy_dir} does not exist; set OCA_TAXONOMY_DIR to the folder with "
            f"{', '.join(name for name, _ in TAXONOMY_FILES.values())}."
        )
    tax = Taxonomy()
    for key, (name, expected) in TAXONOMY_FILES.items():
        path = taxonomy_dir / name
        if not path.is_file():
            raise ReleaseError(f"{taxonomy_dir} has no {name} (expected columns: {', '.join(expected)}).")
        _, rows, cols = _read_rows(path, expected)
        if key == "structure":
            levels = ("major", "minor", "broad", "detailed")
            above: dict[int, str] = {}  # depth -> the latest group seen at that depth
            for row in rows:
                for depth, (level, c) in enumerate(zip(levels, cols[:4])):
                    code = row[c].strip()
                    if code:
                        tax.groups.setdefault(code, SocGroup(code, row[cols[4]].strip(), level))
                        above = {d: g for d, g in above.items() if d < depth}
                        if above:
                            tax.parents.setdefault(code, above[max(above)])
                        above[depth] = code
                        break
        elif key == "definitions":
            for row in rows:
                code = row[cols[1]].strip()
                level = row[cols[0]].strip().lower()
                old = tax.groups.get(code)
                tax.groups[code] = SocGroup(code, row[cols[2]].strip() or (old.title if old else ""),
                                            old.level if old else level, row[cols[3]].strip())
        elif key == "onetsoc_to_soc":
            for row in rows:
                tax.onetsoc_to_soc[row[cols[0]].strip()] = row[cols[1]].strip()
        elif key == "onetsoc2010":
            for row in rows:
                tax.onetsoc2010_to_2019.setdefault(row[cols[0]].strip(), []).append(row[cols[1]].strip())
        elif key == "direct_match":
            for row in rows:
                tax.direct_match.setdefault(row[cols[0]].strip(), []).append(row[cols[1]].strip())
    return tax
