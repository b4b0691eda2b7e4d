"""Render a `SuiteResult`: a Markdown report a person reads in a minute, the same numbers as JSON, and plots.

The Markdown leads with one headline row per case file, then per file: accuracy by level, calibration and
auto-coding, accuracy by SOC major group, the commonest confusions, the most confident failures with the
evidence that misled the engine, speed, and (with --compare) each evidence channel alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eval.metrics import LEVEL_LABELS, LEVELS, Headline, threshold_for_precision
from eval.plots import plot_coverage, plot_groups, plot_reliability
from eval.suite import ABLATIONS, FileReport, SuiteResult

REPORT_MD = "report.md"
REPORT_JSON = "report.json"
DESCRIPTION_SHOWN = 160
ABLATION_LABELS = {"full": "full ranking", "title": "title match alone", "lexical": "lexical (BM25) alone",
                   "dense": "dense (embeddings) alone"}


def write_report(result: SuiteResult, out_dir: Path) -> Path:
    """Write report.md, report.json and three PNGs per file into `out_dir`; return report.md's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for report in result.files:
        plot_reliability(report.reliability, report.headline.ece, out_dir / f"reliability_{report.name}.png",
                         report.name)
        marks = [(target, threshold_for_precision(report.coverage, target)) for target in (0.90, 0.95)]
        plot_coverage(report.coverage, marks, out_dir / f"coverage_{report.name}.png", report.name)
        plot_groups(report.groups, out_dir / f"groups_{report.name}.png", report.name)
    (out_dir / REPORT_JSON).write_text(result.model_dump_json(indent=1) + "\n", encoding="utf-8")
    path = out_dir / REPORT_MD
    path.write_text(render_markdown(result), encoding="utf-8")
    return path


# ----- formatting -----------------------------------------------------------------------------------------

def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def auto_coded(coverage: float | None, threshold: float | None) -> str:
    return "not reached" if coverage is None or threshold is None else f"{pct(coverage)} (conf ≥ {threshold:.2f})"


def reached(coverage: float | None) -> str:
    return "not reached" if coverage is None else pct(coverage)


def cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def calibration_note(result: SuiteResult) -> str:
    if result.half == "report":
        return "on the half of cases not used to fit calibration"
    return ("over all scored cases, about half of which were used to fit the confidence model "
            "(run with `--half report` for the figure on the other half only)")


def describe_query(query: dict[str, str | None]) -> str:
    parts = []
    for name, value in query.items():
        if value:
            shown = value if len(value) <= DESCRIPTION_SHOWN else value[: DESCRIPTION_SHOWN - 1] + "…"
            parts.append(f'{name} "{" ".join(shown.split())}"')
    return " · ".join(parts) or "(empty query)"


# ----- the Markdown ---------------------------------------------------------------------------------------

HEADLINE_HEADER = ["file", "fields", "cases", "top-1 SOC", "top-5 SOC", "MRR SOC", "top-1 major", "ECE",
                   "auto-coded at ≥90% precision", "at ≥95%"]


def headline_row(report: FileReport) -> list[str]:
    h = report.headline
    return [report.name, ", ".join(report.fields), f"{report.n:,}", pct(h.top1.get("soc")), pct(h.top5.get("soc")),
            num(h.mrr), pct(h.top1.get("major")), num(h.ece), auto_coded(h.coverage_at_90, h.threshold_at_90),
            auto_coded(h.coverage_at_95, h.threshold_at_95)]


def render_markdown(result: SuiteResult) -> str:
    total = sum(r.n for r in result.files)
    minutes, seconds = divmod(round(result.wall_s), 60)
    selection = []
    if result.half == "report":
        selection.append("only the half of cases not used to fit calibration")
    if result.limit:
        selection.append(f"first {result.limit:,} cases per file")
    if result.sample:
        selection.append(f"a fixed sample of {result.sample:,} cases per file (seed {result.seed})")
    out = [
        "# Evaluation report",
        "",
        f"{result.created:%Y-%m-%d %H:%M} UTC · {result.release} · engine {result.engine_version} · "
        f"run {result.id} · {total:,} cases in {len(result.files)} file(s) · {minutes} min {seconds:02d} s"
        + (f" · {'; '.join(selection)}" if selection else ""),
        "",
        f"A prediction is right when it matches **any** of the case's gold codes at that level. MRR is over the "
        f"{result.k} answers asked for. Calibration and auto-coding use the top answer's confidence against "
        f"SOC-detailed correctness. ECE is {calibration_note(result)}.",
        "",
        "## Headline",
        "",
        *table(HEADLINE_HEADER, [headline_row(r) for r in result.files]),
    ]
    for report in result.files:
        out += ["", *render_file(result, report)]
    return "\n".join(out) + "\n"


def render_file(result: SuiteResult, report: FileReport) -> list[str]:
    h = report.headline
    notes = [f"`{report.path}` · shown: {', '.join(report.fields)} · {report.n:,} of {report.loaded:,} valid cases"]
    if report.multi_gold:
        notes.append(f"{report.multi_gold:,} with several acceptable codes")
    if report.unanswered:
        notes.append(f"{report.unanswered:,} with nothing to code once masked (counted wrong)")
    out = [f"## {report.name}", "", " · ".join(notes)]
    if report.problems:
        out += ["", f"{len(report.problems)} line(s) skipped:"]
        out += [f"- {p}" for p in report.problems[:10]]
        if len(report.problems) > 10:
            out.append(f"- … and {len(report.problems) - 10} more (report.json lists them all)")

    out += ["", "### Accuracy by level", ""]
    out += table(["level", "top-1", "top-5"],
                 [[LEVEL_LABELS[level], pct(h.top1.get(level)), pct(h.top5.get(level))] for level in LEVELS])
    out += ["", f"Mean reciprocal rank (SOC detailed): {num(h.mrr)}"]

    out += ["", "### Calibration and auto-coding", "",
            f"Expected calibration error: **{num(h.ece)}**, {calibration_note(result)}.", "",
            f"![reliability diagram](reliability_{report.name}.png) "
            f"![coverage and precision](coverage_{report.name}.png)",
            "", "Auto-code only answers whose confidence reaches a threshold:", ""]
    out += table(["target precision", "threshold", "share auto-coded"],
                 [["90%", num(h.threshold_at_90, 2), reached(h.coverage_at_90)],
                  ["95%", num(h.threshold_at_95, 2), reached(h.coverage_at_95)]])
    bins = [b for b in report.reliability if b.n]
    out += ["", "Reliability table:", ""]
    out += table(["confidence", "cases", "mean confidence", "share right"],
                 [[f"{b.low:.1f}–{b.high:.1f}", f"{b.n:,}", pct(b.mean_confidence), pct(b.accuracy)] for b in bins])

    out += ["", "### By SOC major group (of the gold code)", "", f"![accuracy by group](groups_{report.name}.png)", ""]
    out += table(["group", "title", "cases", "top-1 SOC", "top-5 SOC"],
                 [[g.code, g.title, f"{g.n:,}", pct(g.top1), pct(g.top5)]
                  for g in sorted(report.groups, key=lambda g: -g.n)])

    out += ["", "### Most frequent confusions (SOC detailed, gold → predicted)", ""]
    if report.confusions:
        out += table(["cases", "gold", "predicted"],
                     [[str(c.count), name_codes(report.titles, c.gold), name_codes(report.titles, [c.predicted])]
                      for c in report.confusions])
    else:
        out.append("None.")

    out += ["", "### Worst failures (most confident wrong answers)", ""]
    for i, f in enumerate(report.failures, start=1):
        rank = f"listed at rank {f.gold_rank}" if f.gold_rank else "not listed"
        gold = name_codes(dict(zip(f.gold, f.gold_titles)), f.gold)
        out.append(f"{i}. `{f.case_id}` {describe_query(f.query)}  ")
        out.append(f"   → **{f.predicted} {f.predicted_title}** at {pct(f.confidence)}; gold {gold} ({rank})")
        out += [f"   - {line}" for line in f.evidence]
    if not report.failures:
        out.append("None.")

    t = report.timing
    out += ["", "### Speed and cost", ""]
    out += table(["p50", "p95", "throughput", "peak memory", "LLM tokens per case"],
                 [[f"{num(t.p50_ms, 1)} ms", f"{num(t.p95_ms, 1)} ms", f"{num(t.throughput_per_s, 1)} cases/s",
                   f"{num(t.peak_memory_mb, 0)} MB", num(t.tokens_per_case, 0)]])
    out += ["", f"{t.coded:,} engine calls in {t.wall_s:.1f} s; latency is per call, peak memory is the process's "
            "resident set (index included). No LLM is used, so tokens are n/a."]

    if report.ablations:
        out += ["", f"### Ablations: each evidence channel alone ({report.ablation_n:,} cases, a fixed sample)", ""]
        out += table(["ranking", "top-1 SOC", "top-5 SOC", "MRR SOC", "top-1 major"],
                     [ablation_row(name, report.ablations[name]) for name in ("full", *ABLATIONS)
                      if name in report.ablations])
    return out


def ablation_row(name: str, h: Headline) -> list[str]:
    return [ABLATION_LABELS.get(name, name), pct(h.top1.get("soc")), pct(h.top5.get("soc")), num(h.mrr),
            pct(h.top1.get("major"))]


def name_codes(titles: dict[str, str], codes: Sequence[str], shown: int = 2, width: int = 50) -> str:
    """'11-9031 Education and Childcare Administrators, Presch…; 11-9032 … (+2 more)'."""
    named = []
    for code in codes[:shown]:
        title = titles.get(code, "")
        title = title if len(title) <= width else title[: width - 1] + "…"
        named.append(f"{code} {title}".strip())
    more = f" (+{len(codes) - shown} more)" if len(codes) > shown else ""
    return "; ".join(named) + more


# ----- the terminal -------------------------------------------------------------------------------------

def format_table(report: FileReport) -> str:
    """A plain-text summary of one file's scores, for the terminal."""
    h, t = report.headline, report.timing
    lines = [
        f"{report.path}: {report.n} cases, fields {', '.join(report.fields)}",
        f"  {'level':<14}{'top-1':>8}{'top-5':>8}",
    ]
    lines += [f"  {LEVEL_LABELS[level]:<14}{pct(h.top1.get(level)):>8}{pct(h.top5.get(level)):>8}" for level in LEVELS]
    auto = auto_coded(h.coverage_at_90, h.threshold_at_90)
    lines.append(f"  MRR {num(h.mrr)}, ECE {num(h.ece)}, auto-coded at 90% precision: {auto}")
    lines.append(f"  latency p50 {num(t.p50_ms, 1)} ms, p95 {num(t.p95_ms, 1)} ms, "
                 f"{num(t.throughput_per_s, 1)} cases/s")
    if report.ablations:
        lines.append("  " + ", ".join(f"{name} {pct(h.top1.get('soc'))}" for name, h in report.ablations.items())
                     + f" top-1 SOC on {report.ablation_n} cases")
    return "\n".join(lines)
