"""MiniLM with int8 activations (the query encoder by default): derived once from the packaged int8-weight
model, then cached.

The packaged model keeps its weights as int8 but turns them back into floats as it loads, so every
matrix product runs in float. Here each product quantises its input as well, one token row at a time
(uint8 with the row's own scale and zero point), and multiplies integers: about twice the tokens per
CPU-second (recipe 2), vectors at cosine 0.998-1.000 to the packaged model's. The weights are the packaged int8
values and scales, untouched.

Why rows and not onnxruntime's dynamic quantisation: that takes one scale for the whole batch, so a
text's vector changed with the texts batched beside it (cosine 0.99 to itself alone), and its coarser
scale moved vectors further (cosine 0.98-1.00 to the packaged model's). A row's
scale depends on that row only and integer products are exact, so a vector is the same in any batch and
with any number of threads, as with the float model.

Nothing is downloaded: the derivation reads the installed wheel. It takes about a second, but the result
is cached under the product's home and derived again when the wheel, onnxruntime or this recipe changes,
or when the cached file is missing or damaged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

# Bump when the derivation below changes, so every cached model is derived again.
RECIPE = "3"

_derived_in_memory: dict[tuple[str, int, int], bytes] = {}


def derive_row_quantised_model(source: Path) -> bytes:
    """The packaged model with each `MatMul(x, Cast(int8 weight) * scale)` replaced by a product of
    integers: x quantised per row to uint8, `MatMulInteger` with the int8 weight, then rescaled.
    The attention products (activation by activation) and the embedding lookup stay as they were."""
    try:
        import onnx
        from onnx import helper
    except ImportError as exc:
        from retrieval.embedder import EmbedderError

        raise EmbedderError(
            "Deriving the int8-activation MiniLM model needs the onnx package: `pip install onnx` (or set "
            "OCA_EMBEDDER=minilm to run the packaged model as shipped)."
        ) from exc

    model = onnx.load(str(source))
    graph = model.graph
    constants = {init.name: init for init in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    rewrite = _RowQuantiser(onnx, helper)
    replaced: dict[int, list[Any]] = {}
    dropped: set[int] = set()
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in producer:
            continue
        mul = producer[node.input[1]]
        cast = producer.get(mul.input[0]) if mul.op_type == "Mul" and len(mul.input) == 2 else None
        if cast is None or cast.op_type != "Cast" or cast.input[0] not in constants or mul.input[1] not in constants:
            continue
        weight = onnx.numpy_helper.to_array(constants[cast.input[0]])
        scale = onnx.numpy_helper.to_array(constants[mul.input[1]])
        if weight.dtype.name != "int8" or weight.ndim != 2 or scale.size != weight.shape[1]:
            continue
        replaced[id(node)] = rewrite.matmul(node.input[0], weight, scale.reshape(-1), node.output[0])
        dropped.update((id(mul), id(cast)))
    if not replaced:
        from retrieval.embedder import EmbedderError

        raise EmbedderError(f"The model at {source} has no int8 matrix products to derive from; it is not "
                            "the packaged MiniLM. Set OCA_EMBEDDER=minilm to run it as it is.")
    nodes = [new for node in graph.node if id(node) not in dropped for new in replaced.get(id(node), [node])]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + rewrite.constants)
    onnx.checker.check_model(model)
    return model.SerializeToString()


class _RowQuantiser:
    """Builds the replacement nodes; an input shared by several products (Q, K and V) is quantised once.

    The products run on the input's token rows flattened to a matrix ([batch * sequence, hidden]), so that
    `QuantizeLinear` and `DequantizeLinear` can take one scale per row or per column (their `axis`):
    each of them is one pass over the data where the first recipe spent four or five elementwise nodes."""

    def __init__(self, onnx: Any, helper: Any) -> None:
        import numpy as np

        self._np = np
        self._onnx = onnx
        self._helper = helper
        self._quantised: dict[str, tuple[str, str, str, str]] = {}
        self.constants = [
            onnx.numpy_helper.from_array(np.array(value, np.float32), name)
            for name, value in (("rowq_zero", 0.0), ("rowq_255", 255.0), ("rowq_tiny", 1e-12))
        ] + [onnx.numpy_helper.from_array(np.array(value, np.int64), name)
             for name, value in (("rowq_start", [0]), ("rowq_last", [-1]))] + [
            onnx.numpy_helper.from_array(np.array(128, np.uint8), "rowq_128")]

    def _node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> Any:
        return self._helper.make_node(op, inputs, [output], **attrs)

    def _quantise(self, x: str, width: int) -> tuple[list[Any], tuple[str, str, str, str]]:
        """uint8 rows: scale = (max - min) / 255 over each row (0 always representable), zero point
        round(-min / scale). Returns the nodes and the names of (codes, scale, -zero point, the leading
        dimensions of x)."""
        if x in self._quantised:
            return [], self._quantised[x]
        np, onnx = self._np, self._onnx
        p = f"rowq{len(self._quantised)}_"
        self.constants.append(onnx.numpy_helper.from_array(np.array([-1, width], np.int64), p + "matrix_shape"))
        n = self._node
        nodes = [
            n("Shape", [x], p + "shape"),
            n("Slice", [p + "shape", "rowq_start", "rowq_last"], p + "lead"),
            n("Reshape", [x, p + "matrix_shape"], p + "rows"),
            n("ReduceMax", [p + "rows"], p + "max0", axes=[1], keepdims=0),
            n("ReduceMin", [p + "rows"], p + "min0", axes=[1], keepdims=0),
            n("Max", [p + "max0", "rowq_zero"], p + "max"),
            n("Min", [p + "min0", "rowq_zero"], p + "min"),
            n("Sub", [p + "max", p + "min"], p + "range"),
            n("Div", [p + "range", "rowq_255"], p + "scale0"),
            n("Max", [p + "scale0", "rowq_tiny"], p + "scale"),
            n("Div", [p + "min", p + "scale"], p + "min_steps"),
            n("Round", [p + "min_steps"], p + "neg_zero"),
            n("Neg", [p + "neg_zero"], p + "zero_float"),
            n("Cast", [p + "zero_float"], p + "zero", to=onnx.TensorProto.UINT8),
            # saturate(round(x / scale) + zero): the row's codes, in one pass
            n("QuantizeLinear", [p + "rows", p + "scale", p + "zero"], p + "codes", axis=0),
            n("Unsqueeze", [p + "scale", "rowq_last"], p + "scale_col"),
            n("Unsqueeze", [p + "neg_zero", "rowq_last"], p + "neg_zero_col"),
        ]
        self._quantised[x] = (p + "codes", p + "scale_col", p + "neg_zero_col", p + "lead")
        return nodes, self._quantised[x]

    def matmul(self, x: str, weight: Any, scale: Any, output: str) -> list[Any]:
        """(codes - zero) @ W = codes @ W - zero * colsum(W), times the row's scale and the column's: the
        zero-point term is added by a rank-one `Gemm` (one pass), then the two scales (a pass each)."""
        np = self._np
        nodes, (codes, row_scale, neg_zero, lead) = self._quantise(x, weight.shape[0])
        p = output + "_rowq_"
        self.constants += [
            # uint8 with zero point 128, not int8: on CPUs without VNNI (AVX2) onnxruntime multiplies uint8 by int8
            # with an instruction that saturates pairs of products at 16 bits, which had moved vectors to cosine
            # 0.97 of the packaged model's; uint8 by uint8 is exact on every CPU
            self._onnx.numpy_helper.from_array((weight.astype(np.int16) + 128).astype(np.uint8), p + "weight"),
            self._onnx.numpy_helper.from_array(scale.astype(np.float32), p + "col_scale"),
            self._onnx.numpy_helper.from_array(weight.astype(np.int64).sum(axis=0).astype(np.float32)[None, :],
                                               p + "col_sum"),
            self._onnx.numpy_helper.from_array(np.array([weight.shape[1]], np.int64), p + "width"),
        ]
        n = self._node
        return nodes + [
            n("MatMulInteger", [codes, p + "weight", "", "rowq_128"], p + "int"),
            n("Cast", [p + "int"], p + "float", to=self._onnx.TensorProto.FLOAT),
            n("Gemm", [neg_zero, p + "col_sum", p + "float"], p + "centred"),
            n("Mul", [p + "centred", p + "col_scale"], p + "by_column"),
            n("Mul", [p + "by_column", row_scale], p + "rows"),
            n("Concat", [lead, p + "width"], p + "shape", axis=0),
            n("Reshape", [p + "rows", p + "shape"], output),
        ]


def load_derived_model(source: Path, name: str, cache_dir: Path | None, *, refresh: bool = False) -> bytes:
    """The derived model's bytes: from `cache_dir` when its record still matches, else derived (and cached).

    Without a cache directory the model is derived once per process. The record holds the source's
    sha256 and file stamps: stamps that still match skip hashing 23 MB at every start; a reinstalled but
    identical wheel (new stamp, same hash) keeps the cached model."""
    import onnxruntime

    source = Path(source).resolve()
    stat = source.stat()
    if cache_dir is None:
        key = (str(source), stat.st_size, stat.st_mtime_ns)
        if refresh or key not in _derived_in_memory:
            _derived_in_memory[key] = derive_row_quantised_model(source)
        return _derived_in_memory[key]

    target = Path(cache_dir) / f"{name}.onnx"
    record_path = Path(cache_dir) / f"{name}.json"
    wanted = {"recipe": RECIPE, "onnxruntime": onnxruntime.__version__}
    source_stamp = [str(source), stat.st_size, stat.st_mtime_ns]
    record = None if refresh else _read_record(record_path)
    if record is not None and all(record.get(k) == v for k, v in wanted.items()) and _stamp(target) == record.get("model"):
        if record.get("source") == source_stamp:
            return target.read_bytes()
        if record.get("source_sha256") == _sha256(source):
            _write_atomic(record_path, json.dumps({**record, "source": source_stamp}).encode())
            return target.read_bytes()

    data = derive_row_quantised_model(source)
    try:
        _write_atomic(target, data)
        record = {**wanted, "source": source_stamp, "source_sha256": _sha256(source), "model": _stamp(target)}
        _write_atomic(record_path, json.dumps(record, indent=1).encode())
    except OSError as exc:
        logging.getLogger(__name__).warning(
            "The derived MiniLM model could not be cached in %s (%s); it will be derived again next time.",
            cache_dir, exc.strerror or exc)
    return data


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    """A reader (another process starting up) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
