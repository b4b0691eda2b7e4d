"""`oca`: build the index, search O*NET, code a job, read an occupation's profile, run the evaluation.

The product's own errors (OcaError) end as one `error: ...` line and exit code 2; anything else is a bug
and keeps its traceback. `oca eval --floor` exits 1 when a pinned figure dropped.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from assistant import cli_batch, cli_draft, cli_review, service
from assistant.settings import Settings, load_settings
from retrieval.errors import OcaError
from retrieval.models import Candidate, CodingResult, SearchHit

EXIT_OK = 0
EXIT_FLOOR = 1  # `oca eval --floor`: a pinned figure dropped
EXIT_ERROR = 2
ALT_TITLES_SHOWN = 20
LIST_SHOWN = 25
EVIDENCE_SHOWN = 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
        return args.handler(args, settings)
    except OcaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValidationError as exc:
        print(f"error: invalid configuration (check the OCA_* variables): {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the subcommand; after it, SUPPRESS keeps an absent
    # option from overwriting one given before it.
    def add_globals(p: argparse.ArgumentParser, default: object) -> None:
        p.add_argument("--home", type=Path, default=default, help="where the index lives (OCA_HOME)")
        p.add_argument("--onet-dir", type=Path, default=default, help="the O*NET text release (OCA_ONET_DIR)")
        p.add_argument("--taxonomy-dir", type=Path, default=default, help="SOC 2018 taxonomy folder (OCA_TAXONOMY_DIR)")

    parser = argparse.ArgumentParser(
        prog="oca", description="Relate a job description to its O*NET-SOC occupation, offline."
    )
    add_globals(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    add_globals(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="build or refresh the search index")
    p.add_argument("--rebuild", action="store_true", help="rebuild even when the index is up to date")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("search", parents=[common], help="keyword search over O*NET titles and tasks")
    p.add_argument("query")
    p.add_argument("--k", type=_positive_int, default=20, help="how many occupations (default 20)")
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("code", parents=[common], help="rank the O*NET-SOC occupations that fit a job")
    p.add_argument("--title", help="the job title as the person gave it")
    p.add_argument("--description", help="what the person does")
    p.add_argument("--industry", help="the employer's business")
    p.add_argument("--k", type=_positive_int, default=10, help="how many candidates (default 10)")
    p.add_argument("--json", action="store_true", help="print the CodingResult JSON")
    p.set_defaults(handler=cmd_code)

    p = sub.add_parser("occupation", parents=[common], help="show an occupation's O*NET profile")
    p.add_argument("code", help="O*NET-SOC code (29-1141.00) or SOC code (29-1141)")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(handler=cmd_occupation)

    p = sub.add_parser("eval", parents=[common], help="score the coder on evaluation case files")
    p.add_argument("case_files", nargs="+", type=Path, metavar="CASES.jsonl")
    p.add_argument("--fields", action="append", metavar="[FILE=]FIELDS",
                   help="what the coder is shown, comma-separated (default title,description,industry); "
                        "FILE=FIELDS sets it for one case file (by name or stem); repeatable")
    p.add_argument("--limit", type=_positive_int, help="use only the first N cases of each file")
    p.add_argument("--sample", type=_positive_int, help="a fixed sample of N cases of each file (see --seed)")
    p.add_argument("--seed", type=int, help="which fixed sample --sample takes (default 0)")
    p.add_argument("--half", choices=("all", "report"),
                   help="'report': only the cases not used to fit the confidence model (default all)")
    p.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="write the scores to OUT as JSON")
    p.add_argument("--k", type=_positive_int, default=5, help="candidates asked for per case (default 5)")
    p.add_argument("--report", type=Path, metavar="DIR", help="write report.md, report.json and plots to DIR")
    p.add_argument("--compare", action="store_true",
                   help="also rank with each evidence channel alone, on a fixed sample of each file")
    p.add_argument("--keep", action="store_true", help="keep the run under OCA_HOME/eval_runs (listed by the app)")
    p.add_argument("--floor", type=Path, metavar="FILE",
                   help="fail (exit 1) when top-1 falls more than 2 points below the figures pinned in FILE")
    p.add_argument("--write-floor", type=Path, metavar="FILE", help="pin this run's top-1 figures in FILE")
    from assistant import cli_conversation

    cli_conversation.add_eval_options(p)
    p.set_defaults(handler=cmd_eval)
    cli_conversation.register(sub, common)
    cli_review.register(sub, common)
    cli_batch.register(sub, common)
    cli_draft.register(sub, common)
    from assistant import cli_llm

    cli_llm.register(sub, common)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {
        name: getattr(args, name)
        for name in ("home", "onet_dir", "taxonomy_dir")
        if getattr(args, name, None) is not None
    }
    return load_settings(**overrides)


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    start = time.perf_counter()
    engine = service.build_engine(settings, progress=True, rebuild=args.rebuild)
    elapsed = time.perf_counter() - start
    print(f"Index ready in {elapsed:.1f} s")
    print(f"  release         {engine.release} ({len(engine.kb.occupations)} occupations)")
    print(f"  engine version  {engine.engine_version}")
    print(f"  home            {settings.home.resolve()}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    engine = service.build_engine(settings, progress=_interactive())
    hits = engine.search(args.query, k=args.k)
    if args.json:
        print(json.dumps([hit.model_dump() for hit in hits], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not hits:
        print(f"No O*NET title or task matches {args.query!r}.")
        return EXIT_OK
    print(render_hits(hits))
    return EXIT_OK


def cmd_code(args: argparse.Namespace, settings: Settings) -> int:
    if not any((value or "").strip() for value in (args.title, args.description)):
        raise OcaError("give at least a --title or a --description to code.")
    engine = service.build_engine(settings, progress=_interactive())
    result = engine.code(title=args.title, description=args.description, industry=args.industry, k=args.k)
    print(result.model_dump_json(indent=2) if args.json else render_result(result))
    return EXIT_OK


def cmd_occupation(args: argparse.Namespace, settings: Settings) -> int:
    engine = service.build_engine(settings, progress=_interactive())
    profile = service.occupation_profile(engine.kb, args.code)
    print(profile.model_dump_json(indent=2) if args.json else render_profile(profile))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    # eval sits above assistant in the import order; this command is the one place that reaches up to it.
    if args.interactive:
        from assistant.cli_conversation import cmd_interactive_eval

        return cmd_interactive_eval(args, settings, _interactive())
    from tqdm import tqdm

    from eval import floor as floors
    from eval.cases import require_case_file
    from eval.report import format_table, write_report
    from eval.store import save_run
    from eval.suite import check_overrides, run_suite, unique_names

    for path in args.case_files:
        require_case_file(path)
    default_fields, fields_by_file = parse_field_specs(args.fields or [])
    sample, seed, half, limit = args.sample, args.seed, args.half, args.limit
    floor = floors.load_floor(args.floor) if args.floor is not None else None
    if floor is not None:
        # Unless told otherwise, measure the pinned files the way their pins were measured.
        pinned = floors.pinned_run(floor, unique_names(args.case_files))
        fields_by_file = fields_by_file if args.fields else pinned.fields_by_file
        sample = pinned.sample if sample is None else sample
        seed = pinned.seed if seed is None else seed
        half = pinned.half if half is None else half
        limit = pinned.limit if limit is None else limit
    try:
        check_overrides(args.case_files, fields_by_file)
    except ValueError as exc:
        raise OcaError(str(exc)) from exc

    engine = service.build_engine(settings, progress=_interactive(), lay_titles=False)
    with tqdm(total=0, unit="case", desc="eval", disable=not _interactive()) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        result = run_suite(engine, list(args.case_files), default_fields, limit=limit, sample=sample,
                           seed=seed or 0, compare=args.compare, half=half or "all", progress=progress, k=args.k,
                           fields_by_file=fields_by_file)
    for report in result.files:
        for problem in report.problems:
            print(f"warning: skipped {problem}", file=sys.stderr)
        print(format_table(report))
        print()
    if args.json_out is not None:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        summaries = [report.summary() for report in result.files]
        args.json_out.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
        print(f"Scores written to {args.json_out}")
    if args.report is not None:
        print(f"Report written to {write_report(result, args.report)}")
    if args.keep:
        print(f"Run kept in {save_run(result, settings.home)}")
    if args.write_floor is not None:
        previous = floors.load_floor(args.write_floor) if args.write_floor.is_file() else None
        floors.write_floor(floors.updated_floor(previous, result), args.write_floor)
        pinned_now = ", ".join(f"{r.name} {_percent(r.headline.top1.get('soc'))}" for r in result.files)
        print(f"Pinned top-1 (SOC detailed) in {args.write_floor}: {pinned_now}. Commit it deliberately.")
    if floor is not None:
        checks = floors.check_floor(result, floor)
        for check in checks:
            print(("floor failed: " if check.failed else "floor: ") + check.message,
                  file=sys.stderr if check.failed else sys.stdout)
        if any(check.failed for check in checks):
            return EXIT_FLOOR
    return EXIT_OK


def parse_field_specs(specs: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """['description,industry', 'acs2009_dev=title,industry'] -> default fields, and fields per case file."""
    from eval.cases import QUERY_FIELDS, parse_fields

    default: list[str] = list(QUERY_FIELDS)
    per_file: dict[str, list[str]] = {}
    try:
        for spec in specs:
            name, sep, fields = spec.rpartition("=")
            if sep and not name.strip():
                raise ValueError(f"expected FILE=FIELDS, got {spec!r}")
            if sep:
                per_file[name.strip()] = list(parse_fields(fields))
            else:
                default = list(parse_fields(fields))
    except ValueError as exc:
        raise OcaError(str(exc)) from exc
    return default, per_file


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def render_hits(hits: Sequence[SearchHit], out_width: int = 100) -> str:
    lines = [f"{'code':<11} {'title':<40} matched"]
    for hit in hits:
        matched = [f"title: {t}" for t in hit.matched_titles] + [f"task: {t}" for t in hit.matched_tasks]
        first, *rest = matched or [""]
        lines.append(f"{hit.code:<11} {_clip(hit.title, 40):<40} {_clip(first, out_width - 53)}")
        lines.extend(f"{'':<52} {_clip(m, out_width - 53)}" for m in rest[:2])
    return "\n".join(lines)


def render_result(result: CodingResult) -> str:
    asked = ", ".join(f"{name}={value!r}" for name, value in result.query.model_dump().items() if value)
    lines = [f"{asked}"]
    if read := result.read_otherwise():
        lines.append("read as " + ", ".join(f"{name}={value!r}" for name, value in read.items()))
    lines += [f"{result.release}, engine {result.engine_version}, {result.elapsed_ms:.0f} ms", ""]
    if not result.candidates:
        lines.append("No occupation matched; add a description of the duties.")
        return "\n".join(lines)
    lines.append(f"{'#':>3}  {'code':<11} {'title':<44} {'SOC':<8} {'conf.':>6}")
    for candidate in result.candidates:
        lines.append(
            f"{candidate.rank:>3}  {candidate.code:<11} {_clip(candidate.title, 44):<44} "
            f"{candidate.soc_code:<8} {candidate.confidence * 100:>5.0f}%"
        )
        lines.extend(f"{'':>5}{line}" for line in evidence_lines(candidate))
    return "\n".join(lines)


def evidence_lines(candidate: Candidate, width: int = 90) -> list[str]:
    lines = []
    for match in sorted(candidate.evidence, key=lambda m: -m.score)[:EVIDENCE_SHOWN]:
        words = f" [{', '.join(match.matched_words)}]" if match.matched_words else ""
        lines.append(_clip(f"{match.kind.replace('_', ' ')}: {match.text}{words}", width))
    return lines


def render_profile(profile: service.OccupationProfile) -> str:
    out: list[str] = [f"{profile.code}  {profile.title}", ""]
    out += _wrapped(profile.description)
    soc = [lvl for lvl in (profile.soc.major, profile.soc.minor, profile.soc.broad, profile.soc.detailed) if lvl]
    _section(out, f"SOC 2018 ({profile.soc_code})", [f"{'  ' * i}{lvl.code}  {lvl.title}" for i, lvl in enumerate(soc)])

    titles = profile.alternate_titles
    shown = f"first {ALT_TITLES_SHOWN} of {len(titles)}" if len(titles) > ALT_TITLES_SHOWN else str(len(titles))
    _section(out, f"Alternate titles ({shown})", _wrapped("; ".join(titles[:ALT_TITLES_SHOWN])))
    _section(out, "Tasks", [line for t in profile.tasks for line in _bullet(f"[{t.kind or 'unrated'}] {t.text}")])
    _section(out, "Detailed work activities", [line for d in profile.dwas for line in _bullet(d)])
    tech = [f"{t.example}{' (hot)' if t.hot else ''}" for t in profile.technology]
    _section(out, "Technology (hot = in demand in job postings)", _listed(tech))
    _section(out, "Tools", _listed(profile.tools))
    zone = f"{profile.job_zone}: {profile.job_zone_name}" if profile.job_zone_name else str(profile.job_zone or "—")
    _section(out, "Preparation", [f"Job zone {zone}", f"Typical education: {profile.typical_education or '—'}"])
    _section(out, "Related occupations", [f"{r.code}  {r.title}" for r in profile.related])
    return "\n".join(out)


def _section(out: list[str], heading: str, lines: list[str]) -> None:
    if lines:
        out += ["", heading] + [f"  {line}" for line in lines]


def _listed(items: list[str]) -> list[str]:
    more = [f"... and {len(items) - LIST_SHOWN} more (see --json)"] if len(items) > LIST_SHOWN else []
    return _wrapped("; ".join(items[:LIST_SHOWN])) + more


def _bullet(text: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width, initial_indent="- ", subsequent_indent="  ")


def _wrapped(text: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width) if text else []


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _interactive(stream: TextIO | None = None) -> bool:
    """Progress bars only for a person watching a terminal; pipes and CI logs stay clean."""
    return (stream or sys.stderr).isatty()


if __name__ == "__main__":
    sys.exit(main())
