"""`oca batch IN OUT`: code a file of job records (CSV, TSV, Excel, Parquet), in this process or on Ray."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.batch import (
    DEFAULT_CHUNK_ROWS,
    DEFAULT_K,
    DEFAULT_POLICY,
    Columns,
    ReviewPolicy,
    check_input,
    run_batch,
)
from assistant.settings import Settings


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("batch", parents=[common], help="code every row of a CSV, TSV, Excel or Parquet file",
                       description="Code every row of IN and write it, with its codes and review flags, to OUT. "
                                   "Formats follow the extensions (.csv, .tsv, .xlsx, .parquet). An interrupted "
                                   "run resumes where it stopped when started again with the same options.")
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("output", type=Path, metavar="OUT")
    p.add_argument("--title-col", required=True, metavar="C", help="the column with the job title")
    p.add_argument("--description-col", metavar="C", help="the column with the duties")
    p.add_argument("--industry-col", metavar="C", help="the column with the employer's business")
    p.add_argument("--id-col", metavar="C", help="a column that identifies each row (checked to exist; kept)")
    p.add_argument("--k", type=_positive_int, default=DEFAULT_K,
                   help=f"alternatives listed after the top code (default {DEFAULT_K})")
    p.add_argument("--chunk-rows", type=_positive_int, default=DEFAULT_CHUNK_ROWS,
                   help=f"rows coded and saved at a time (default {DEFAULT_CHUNK_ROWS})")
    p.add_argument("--restart", action="store_true", help="discard the checkpoint of an earlier run and start over")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="'local': this process (default); 'ray': actors on a Ray cluster (see --ray-address)")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="the Ray cluster (e.g. ray://head:10001 or auto); unset: start a local one")
    p.add_argument("--ray-actors", type=_positive_int, metavar="N",
                   help="coding actors on Ray (default: one per CPU of the cluster, at most 32)")
    p.set_defaults(handler=cmd_batch)


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from assistant import service

    columns = Columns(title=args.title_col, description=args.description_col, industry=args.industry_col,
                      id=args.id_col)
    check_input(args.input, args.output, columns, args.k)
    policy = review_policy(settings)
    print(f"Review flags: {policy.describe()}", file=sys.stderr)
    if args.engine == "ray":
        from assistant.batch_ray import RayRunner

        runner = RayRunner(settings, args.k, address=args.ray_address, actors=args.ray_actors)
    else:
        from assistant.batch import LocalRunner

        engine = service.build_engine(settings, progress=sys.stderr.isatty())
        # The runner's threads keep the cores busy, so each embedding call runs on one thread: no two calls
        # fight over a core (about 6% more title rows a second, the same answers).
        engine.limit_embedder_threads(1)
        runner = LocalRunner(engine, args.k)
    with tqdm(unit="row", desc="coding", dynamic_ncols=True, file=sys.stderr) as bar:

        def progress(done: int, total: int | None) -> None:
            if bar.total != total:
                bar.total = total
            if bar.n == 0 and done:
                bar.initial = done  # rows an earlier run coded do not count towards this run's rate
            bar.n = done
            bar.refresh()

        try:
            summary = run_batch(args.input, args.output, columns, runner, k=args.k, policy=policy,
                                chunk_rows=args.chunk_rows, restart=args.restart, progress=progress)
        finally:
            getattr(runner, "shutdown", lambda: None)()
    resumed = f" (resumed after row {summary.resumed_at:,})" if summary.resumed_at else ""
    print(f"Coded {summary.rows:,} rows{resumed} in {summary.seconds:.1f} s, {summary.rows_per_second:,.0f} rows/s; "
          f"{summary.flagged:,} flagged for review ({summary.no_text:,} without a title or description).")
    print(f"Written to {summary.output}")
    return 0


def review_policy(settings: Settings) -> ReviewPolicy:
    """The thresholds of the latest evaluation run kept under OCA_HOME, else the documented defaults."""
    # eval sits above assistant in the import order; the CLI is the one place that reaches up to it.
    from eval.thresholds import latest_policy

    return latest_policy(settings.home) or DEFAULT_POLICY


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
