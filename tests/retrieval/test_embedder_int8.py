"""The opt-in MiniLM model with int8 activations: derived from the packaged model offline, cached under the
home, reused while it matches, derived again when it is missing, damaged or stale; its vectors stay close to
the packaged model's and do not depend on their batch."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

import retrieval.quantized_model as quantized
from retrieval.embedder import (
    MINILM_NAME,
    MINILM_ROWS_NAME,
    ChromaEmbeddingFunction,
    MiniLMEmbedder,
    build_embedder,
)

SENTENCES = [
    "registered nurse",
    "truck driver",
    "ASSISTANT VP LOAN DEPARTMENT",
    "Monitor, record, and report symptoms or changes in patients' conditions to physicians.",
    "Operates zigzag sewing machine to join layers of material, seam garment parts, or attach trim to garment.",
    "Rings up purchases at the register, takes cash and card payments and counts the till at the end of the shift.",
]


def fast_minilm(cache_dir: Path, **options: int) -> MiniLMEmbedder:
    return MiniLMEmbedder(int8_activations=True, cache_dir=cache_dir, **options)


@pytest.fixture(scope="module")
def packaged() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def derived_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One derivation for the module; tests copy it (file times included) rather than derive again."""
    cache = tmp_path_factory.mktemp("derived") / "models"
    fast_minilm(cache)
    return cache


@pytest.fixture
def cache(derived_home: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(derived_home, target)
    return target


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records each derivation, still doing it."""
    calls: list[Path] = []
    derive = quantized.derive_row_quantised_model

    def recorded(source: Path) -> bytes:
        calls.append(source)
        return derive(source)

    monkeypatch.setattr(quantized, "derive_row_quantised_model", recorded)
    return calls


def test_vectors_are_unit_and_close_to_the_packaged_models(packaged: MiniLMEmbedder, cache: Path) -> None:
    fast = fast_minilm(cache)
    assert fast.name == MINILM_ROWS_NAME != packaged.name == MINILM_NAME
    ours, theirs = fast.embed(SENTENCES), packaged.embed(SENTENCES)
    assert ours.shape == (len(SENTENCES), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() >= 0.99, cosine
    assert not np.array_equal(ours, theirs)  # the activations really are quantised
    nurse, truck, _, patients, *_ = ours
    assert nurse @ patients > truck @ patients + 0.1


def test_the_integer_products_multiply_unsigned_by_unsigned_bytes() -> None:
    # uint8 by int8 saturates pairs of products on CPUs without VNNI (AVX2 alone): vectors fell to cosine 0.90-0.99
    # of the packaged model's there, while a VNNI machine showed nothing wrong; uint8 by uint8 is exact on both
    onnx = pytest.importorskip("onnx")
    from retrieval.embedder import _model_path

    model = onnx.load_from_string(quantized.derive_row_quantised_model(_model_path()))
    constants = {init.name: onnx.numpy_helper.to_array(init) for init in model.graph.initializer}
    products = [node for node in model.graph.node if node.op_type == "MatMulInteger"]
    assert len(products) >= 36  # the six layers' attention projections and feed-forward products
    for node in products:
        weight, zero = constants[node.input[1]], constants[node.input[3]]
        assert weight.dtype == np.uint8 and zero.dtype == np.uint8 and int(zero) == 128


def test_a_vector_is_the_same_in_any_batch_and_with_any_threads(cache: Path) -> None:
    """Each token row is quantised on its own, so neighbours in a batch (and their padding) change nothing."""
    two = fast_minilm(cache, threads=2)
    one = fast_minilm(cache, threads=1, batch_size=1)
    together = two.embed(SENTENCES * 3)
    alone = np.stack([one.embed([t])[0] for t in SENTENCES])
    np.testing.assert_array_equal(together, np.concatenate([alone] * 3))


def test_the_derived_model_is_cached_and_reused(cache: Path, derivations: list[Path]) -> None:
    model = cache / f"{MINILM_ROWS_NAME}.onnx"
    record = json.loads((cache / f"{MINILM_ROWS_NAME}.json").read_text())
    assert model.stat().st_size > 10_000_000 and record["source_sha256"]
    first = fast_minilm(cache).embed(SENTENCES)
    again = fast_minilm(cache).embed(SENTENCES)
    assert derivations == []
    np.testing.assert_array_equal(first, again)


def test_a_missing_cached_model_is_derived_again(cache: Path, derivations: list[Path]) -> None:
    reference = fast_minilm(cache).embed(SENTENCES)
    (cache / f"{MINILM_ROWS_NAME}.onnx").unlink()
    vectors = fast_minilm(cache).embed(SENTENCES)
    assert len(derivations) == 1 and (cache / f"{MINILM_ROWS_NAME}.onnx").is_file()
    np.testing.assert_array_equal(vectors, reference)
    fast_minilm(cache)
    assert len(derivations) == 1


def test_a_damaged_cached_model_is_derived_again(cache: Path, derivations: list[Path]) -> None:
    reference = fast_minilm(cache).embed(SENTENCES)
    model = cache / f"{MINILM_ROWS_NAME}.onnx"
    model.write_bytes(model.read_bytes()[:1000])
    np.testing.assert_array_equal(fast_minilm(cache).embed(SENTENCES), reference)
    assert len(derivations) == 1


def test_damage_the_record_cannot_see_is_caught_when_loading(cache: Path, derivations: list[Path]) -> None:
    """Same size and file time as the record says, but not a model: onnxruntime refuses it, so derive."""
    model = cache / f"{MINILM_ROWS_NAME}.onnx"
    stat = model.stat()
    model.write_bytes(b"\0" * stat.st_size)
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    vectors = fast_minilm(cache).embed(SENTENCES)
    assert len(derivations) == 1
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.read_bytes()[:4] != b"\0\0\0\0"


def test_a_changed_recipe_or_runtime_derives_again(cache: Path, derivations: list[Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quantized, "RECIPE", "next")
    fast_minilm(cache)
    fast_minilm(cache)
    assert len(derivations) == 1
    assert json.loads((cache / f"{MINILM_ROWS_NAME}.json").read_text())["recipe"] == "next"


def test_a_reinstalled_identical_model_keeps_the_cache(cache: Path, derivations: list[Path],
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A new file time alone (pip reinstalling the same wheel) costs a hash, not a derivation; new bytes
    in the source derive again."""
    import retrieval.embedder as embedder

    source = tmp_path / "wheel" / "model.onnx"
    source.parent.mkdir()
    shutil.copyfile(embedder._model_path(), source)
    monkeypatch.setattr(embedder, "_model_path", lambda: source)
    fast_minilm(cache)
    assert derivations == []
    record = json.loads((cache / f"{MINILM_ROWS_NAME}.json").read_text())
    assert record["source"][0] == str(source.resolve())

    import onnx

    model = onnx.load(str(source))
    model.doc_string = "rebuilt"
    onnx.save(model, str(source))
    fast_minilm(cache)
    assert derivations == [source.resolve()]


def test_an_unwritable_cache_still_gives_a_working_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the cache directory should be")
    vectors = fast_minilm(blocker).embed(SENTENCES[:2])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert "could not be cached" in caplog.text


def test_deriving_never_touches_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert fast_minilm(tmp_path / "models").embed(["welder"]).shape == (1, 384)


def test_the_index_is_embedded_with_the_packaged_model_and_queries_with_the_fast_copy_by_default(
        cache: Path, derivations: list[Path]) -> None:
    default = build_embedder("minilm", cache_dir=cache)
    assert default.name == MINILM_NAME and derivations == []
    queries = default.for_queries()
    assert queries.name == MINILM_ROWS_NAME and queries is default.for_queries()
    # chroma's stored config names the index's model only: the query copy does not enter into it
    assert ChromaEmbeddingFunction(default).get_config() == {"kind": "minilm", "embedder": MINILM_NAME}
    # the float session opens only when the index's side is used (a query-only process never loads it)
    queries.embed(["welder"])
    assert default._opened == []
    assert default.embed(["welder"]).shape == (1, 384) and default._opened

    float_queries = build_embedder("minilm-float", cache_dir=cache)
    assert float_queries.name == MINILM_NAME and float_queries.for_queries() is float_queries
    assert ChromaEmbeddingFunction(float_queries).get_config()["kind"] == "minilm"

    chosen = build_embedder("minilm-int8-rows", cache_dir=cache)
    assert chosen.name == MINILM_ROWS_NAME and chosen.for_queries() is chosen and derivations == []
    config = ChromaEmbeddingFunction(chosen).get_config()
    assert config == {"kind": "minilm-int8-rows", "embedder": MINILM_ROWS_NAME}
    rebuilt = ChromaEmbeddingFunction.build_from_config(config).embedder
    assert rebuilt.name == MINILM_ROWS_NAME


def test_queries_through_the_fast_copy_keep_the_index_and_its_answers(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    """Switching queries between the two copies rebuilds nothing; the fixture's answers stay the same, and
    a batch still gets exactly `code`'s answers."""
    from retrieval.engine import ENGINE_VERSION, Engine

    def open_with(kind: str) -> Engine:
        embedder = build_embedder(kind, cache_dir=tmp_path / "models")
        return Engine.open(fixture_release, fixture_taxonomy, tmp_path, embedder=embedder, progress=False)

    jobs = [{"title": "staff nurse"}, {"description": "Drives a truck to deliver goods to stores."},
            {"title": "cashier", "description": "Rings up purchases at the register."}]
    fast = open_with("minilm")
    assert fast.embedder.name == MINILM_ROWS_NAME
    assert fast.engine_version == f"{ENGINE_VERSION}.q{quantized.RECIPE}"  # the output says which encoder
    built = (tmp_path / "index" / "engine.pkl").stat().st_mtime_ns
    fast_answers = [fast.code(**job, k=3) for job in jobs]
    together = fast.code_many(jobs, k=3)
    assert [[(c.code, c.score) for c in r.candidates] for r in together] == \
        [[(c.code, c.score) for c in r.candidates] for r in fast_answers]
    slow = open_with("minilm-float")
    assert slow.embedder.name == MINILM_NAME and slow.engine_version == ENGINE_VERSION
    assert (tmp_path / "index" / "engine.pkl").stat().st_mtime_ns == built
    slow_answers = [slow.code(**job, k=3) for job in jobs]
    assert [r.candidates[0].code for r in fast_answers] == [r.candidates[0].code for r in slow_answers]
    assert fast_answers[0].candidates[0].code.startswith("29-1141")


def test_an_engine_on_the_fast_model_codes_and_switching_back_rebuilds(
        fixture_release: Path, fixture_taxonomy: Path, tmp_path: Path) -> None:
    """The manifest records the model, so the index is rebuilt for it; a batch gets `code`'s answers."""
    from retrieval.engine import Engine

    fast = fast_minilm(tmp_path / "models")
    engine = Engine.open(fixture_release, fixture_taxonomy, tmp_path, embedder=fast, progress=False)
    jobs = [{"title": "staff nurse"}, {"description": "Drives a truck to deliver goods to stores."}]
    alone = [engine.code(**job, k=3) for job in jobs]
    assert alone[0].candidates[0].code.startswith("29-1141")
    together = engine.code_many(jobs, k=3)
    assert [[(c.code, c.score) for c in r.candidates] for r in together] == \
        [[(c.code, c.score) for c in r.candidates] for r in alone]
    built = (tmp_path / "index" / "engine.pkl").stat().st_mtime_ns
    packaged = Engine.open(fixture_release, fixture_taxonomy, tmp_path, embedder=MiniLMEmbedder(), progress=False)
    assert (tmp_path / "index" / "engine.pkl").stat().st_mtime_ns != built
    assert packaged.code(title="staff nurse", k=3).candidates[0].code.startswith("29-1141")
