"""The report's figures as PNG files: reliability diagram, coverage/precision curve, accuracy by major group.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot), so there is no global figure state to
leak between runs when the app draws them inside a long-lived Streamlit process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eval.metrics import Bin, GroupScore, Point

DPI = 110


def _short(title: str, width: int = 36) -> str:
    title = title.removesuffix(" Occupations")
    return title if len(title) <= width else title[: width - 1] + "…"


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def plot_reliability(bins: Sequence[Bin], ece: float | None, path: Path, title: str) -> Path:
    """Accuracy against mean confidence per bin; a calibrated model sits on the diagonal."""
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.add_subplot()
    filled = [b for b in bins if b.n]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
    ax.bar([(b.low + b.high) / 2 for b in filled], [b.accuracy or 0.0 for b in filled],
           width=[(b.high - b.low) * 0.9 for b in filled], color="#4c72b0", alpha=0.75, label="accuracy in bin")
    ax.plot([b.mean_confidence for b in filled], [b.accuracy for b in filled], marker="o", color="#dd8452",
            linewidth=1, label="accuracy at mean confidence")
    for b in filled:
        ax.annotate(str(b.n), ((b.low + b.high) / 2, (b.accuracy or 0.0) + 0.02), ha="center", fontsize=7)
    ax.set(xlim=(0, 1), ylim=(0, 1.08), xlabel="confidence of the top answer",
           ylabel="share right (SOC detailed)")
    ece_text = "n/a" if ece is None else f"{ece:.3f}"
    ax.set_title(f"{title}: reliability (ECE {ece_text})", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def plot_coverage(curve: Sequence[Point], marks: Sequence[tuple[float, Point | None]], path: Path,
                  title: str) -> Path:
    """Precision of the auto-coded answers against the share of cases auto-coded, as the threshold drops."""
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.add_subplot()
    ax.plot([p.coverage for p in curve], [p.precision for p in curve], color="#4c72b0", linewidth=1.5)
    for target, point in marks:
        ax.axhline(target, linestyle=":", color="grey", linewidth=1)
        if point is not None:
            ax.plot([point.coverage], [point.precision], marker="o", color="#c44e52")
            label = f"{point.coverage * 100:.1f}% at conf ≥ {point.threshold:.2f}"
            ax.annotate(label, (point.coverage, point.precision), textcoords="offset points", xytext=(6, 6),
                        fontsize=8)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="coverage (share of all cases auto-coded)",
           ylabel="precision (SOC detailed)")
    ax.set_title(f"{title}: coverage against precision", fontsize=10)
    return _save(fig, path)


def plot_groups(groups: Sequence[GroupScore], path: Path, title: str) -> Path:
    """Top-1 and top-5 accuracy per SOC major group, labelled with the group's case count."""
    fig = Figure(figsize=(7.5, 0.28 * max(len(groups), 4) + 1.2))
    ax = fig.add_subplot()
    ordered = list(reversed(groups))
    labels = [f"{g.code[:2]} {_short(g.title)} (n={g.n})" for g in ordered]
    rows = range(len(ordered))
    ax.barh([r + 0.2 for r in rows], [g.top5 for g in ordered], height=0.4, color="#a1c9f4", label="top-5")
    ax.barh([r - 0.2 for r in rows], [g.top1 for g in ordered], height=0.4, color="#4c72b0", label="top-1")
    ax.set_yticks(list(rows), labels, fontsize=7)
    ax.set(xlim=(0, 1), xlabel="share right (SOC detailed)")
    ax.set_title(f"{title}: accuracy by SOC major group of the gold code", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)
