"""`oca batch --engine ray`: a local Ray cluster whose actors search one Chroma server (`chroma run` on
loopback) code a file row for row as one process with its own on-disk index does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from assistant.batch import Columns, LocalRunner, run_batch
from assistant.cli import main
from assistant.service import build_engine
from assistant.settings import Settings
from retrieval.engine import Engine

ray = pytest.importorskip("ray")

JOBS = [
    ("Staff Nurse", "", "hospital"),
    ("LPN", "", ""),
    ("", "Operates a zigzag sewing machine to join parts of garments. Trims loose threads.", "garment"),
    ("cashier", "Rings up purchases and takes payment at the register.", ""),
    ("", "", "bank"),
    ("Registered Nurse", "", ""),
    ("retail sales clerk", "", "shoe store"),
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_actors_on_a_chroma_server_code_like_one_process(chroma_url: str, local_ray: None,
                                                             fixture_release: Path, fixture_taxonomy: Path,
                                                             tmp_path: Path) -> None:
    from assistant.batch_ray import RayRunner

    source = tmp_path / "jobs.csv"
    frame = pd.DataFrame([{"id": f"{i:03d}", "title": t, "duties": d, "industry": ind}
                          for i, (t, d, ind) in enumerate(JOBS * 6)])
    frame.to_csv(source, index=False)
    columns = Columns(title="title", description="duties", industry="industry", id="id")

    one = Engine.open(fixture_release, fixture_taxonomy, tmp_path / "local-home", progress=False)
    run_batch(source, tmp_path / "one.csv", columns, LocalRunner(one, 2), k=2, chunk_rows=5)

    settings = Settings(home=tmp_path / "ray-home", onet_dir=fixture_release, taxonomy_dir=fixture_taxonomy,
                        chroma_url=chroma_url)
    build_engine(settings, progress=False)  # the index goes to the server once, before the actors open it
    runner = RayRunner(settings, 2, actors=2)
    try:
        summary = run_batch(source, tmp_path / "ray.csv", columns, runner, k=2, chunk_rows=5)
    finally:
        runner.shutdown()
    assert not (tmp_path / "ray-home" / "index" / "chroma").exists(), "vectors went to disk, not to the server"

    single = pd.read_csv(tmp_path / "one.csv", dtype=str, keep_default_na=False)
    spread = pd.read_csv(tmp_path / "ray.csv", dtype=str, keep_default_na=False)
    assert summary.rows == len(spread) == len(frame)
    pd.testing.assert_frame_equal(spread, single)
    assert set(spread["oca_code"]) >= {"29-1141.00", "29-2061.00"}


def test_the_command_runs_on_ray(chroma_url: str, local_ray: None, fixture_release: Path, fixture_taxonomy: Path,
                                 tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "jobs.tsv"
    pd.DataFrame([{"title": t} for t, _, _ in JOBS]).to_csv(source, index=False, sep="\t")
    monkeypatch.setenv("OCA_CHROMA_URL", chroma_url)
    home = ["--home", str(tmp_path / "home"), "--onet-dir", str(fixture_release),
            "--taxonomy-dir", str(fixture_taxonomy)]
    assert main(["index", *home]) == 0
    assert main(["batch", str(source), str(tmp_path / "out.parquet"), "--title-col", "title", "--engine", "ray",
                 "--ray-actors", "1", *home]) == 0
    assert f"Coded {len(JOBS)} rows" in capsys.readouterr().out
    coded = pd.read_parquet(tmp_path / "out.parquet")
    assert list(coded["oca_code"][:2]) == ["29-1141.00", "29-2061.00"]
