"""How far coders agree: analysts with each other (the decider against blind re-coders, blind re-coders
with each other) and analysts with the drafts, as percent agreement and Cohen's kappa.

Kappa corrects agreement for chance: two coders who both answer the commonest code most of the time
agree often by luck alone. Codes are compared at the O*NET-SOC level and at the SOC detailed level
(29-1141.00 and 29-1141.01 agree there).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from assistant.store import DecidedCase

LEVELS = {"onetsoc": 10, "soc": 7}


class Agreement(BaseModel):
    pairs: int
    percent: dict[str, float | None]  # by level, in [0, 100]
    kappa: dict[str, float | None]  # by level; None when chance agreement is total (one code only)


class AgreementReport(BaseModel):
    decided: int
    blind_reviews: int
    between_analysts: Agreement
    analysts_vs_drafts: Agreement
    by_pair: dict[str, Agreement]  # "ann~bob" -> their agreement on the submissions both coded


def agreement(pairs: Sequence[tuple[str, str]]) -> Agreement:
    percent: dict[str, float | None] = {}
    kappa: dict[str, float | None] = {}
    for level, width in LEVELS.items():
        first = [a[:width] for a, _ in pairs]
        second = [b[:width] for _, b in pairs]
        percent[level] = round(100 * sum(a == b for a, b in zip(first, second)) / len(pairs), 1) if pairs else None
        kappa[level] = cohen_kappa(first, second)
    return Agreement(pairs=len(pairs), percent=percent, kappa=kappa)


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    if len(set(first) | set(second)) < 2:
        return None  # both coders used one and the same code: chance agreement is total, kappa is 0/0
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(first, second))
    return None if math.isnan(value) else round(value, 3)


def analyst_pairs(cases: Iterable[DecidedCase]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Every two analysts who coded the same submission (the decider and each blind coder, and blind
    coders with each other), keyed by the two names in alphabetical order."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for case in cases:
        coders = dict(case.blind)
        if case.decided_by and case.decided_by not in coders:
            coders[case.decided_by] = case.code
        for a, b in itertools.combinations(sorted(coders), 2):
            out.setdefault((a, b), []).append((coders[a], coders[b]))
    return out


def draft_pairs(cases: Iterable[DecidedCase]) -> list[tuple[str, str]]:
    """(draft code, analyst code) for every decision and every blind code of a drafted submission."""
    out = []
    for case in cases:
        if not case.draft_code:
            continue
        out.append((case.draft_code, case.code))
        out += [(case.draft_code, code) for code in case.blind.values()]
    return out


def build_report(cases: Sequence[DecidedCase]) -> AgreementReport:
    by_pair = analyst_pairs(cases)
    pooled = [pair for pairs in by_pair.values() for pair in pairs]
    return AgreementReport(
        decided=len(cases), blind_reviews=sum(len(c.blind) for c in cases),
        between_analysts=agreement(pooled), analysts_vs_drafts=agreement(draft_pairs(cases)),
        by_pair={f"{a}~{b}": agreement(pairs) for (a, b), pairs in sorted(by_pair.items())},
    )


def format_report(report: AgreementReport) -> str:
    def row(name: str, a: Agreement) -> str:
        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.1f}%"

        def kap(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.3f}"

        return (f"{name:<28} {a.pairs:>5}  {pct(a.percent['onetsoc']):>7} {kap(a.kappa['onetsoc']):>7}  "
                f"{pct(a.percent['soc']):>7} {kap(a.kappa['soc']):>7}")

    lines = [f"{report.decided} decided submissions, {report.blind_reviews} blind codes", "",
             f"{'':<28} {'pairs':>5}  {'O*NET-SOC':>15}  {'SOC detailed':>15}",
             f"{'':<28} {'':>5}  {'agree':>7} {'kappa':>7}  {'agree':>7} {'kappa':>7}",
             row("between analysts", report.between_analysts),
             row("analysts vs drafts", report.analysts_vs_drafts)]
    if report.by_pair:
        lines += ["", "by pair of analysts"] + [row(f"  {name}", a) for name, a in report.by_pair.items()]
    return "\n".join(lines)
