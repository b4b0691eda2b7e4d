"""Tables of job records read and written in chunks: CSV, TSV, Excel (.xlsx) and Parquet, chosen by extension.

Nothing here holds a whole file: readers yield Arrow tables of at most `chunk_rows` rows, writers take them
one at a time, so a file of a million rows costs the memory of one chunk. CSV, TSV and Excel cells are read
as text, so identifiers keep their leading zeros and a column that looks numeric early and textual later
does not break the read; Parquet columns keep their types.
"""

from __future__ import annotations

import codecs
import csv
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from retrieval.errors import OcaError

Format = Literal["csv", "tsv", "excel", "parquet"]
FORMATS: dict[str, Format] = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "excel", ".parquet": "parquet",
                              ".pq": "parquet"}
DELIMITERS = {"csv": ",", "tsv": "\t"}
# A ".csv" from a spreadsheet set up for a comma decimal separator is separated by semicolons; some exports use
# pipes or tabs. The header line says which: the one of these it holds most often, outside quotes.
CSV_DELIMITERS = (",", ";", "\t", "|")
# Text that is not UTF-8 is read as Windows-1252, what spreadsheets on Windows save as "CSV" ("José" as one byte).
FALLBACK_ENCODING = "cp1252"
EXCEL_MAX_ROWS = 1_048_576  # a worksheet's limit, header included
CSV_BLOCK_BYTES = 1 << 20


class TableError(OcaError):
    """A table cannot be read or written as asked."""


def format_of(path: Path) -> Format:
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    hint = " (save it as .xlsx)" if suffix == ".xls" else ""
    raise TableError(f"{path}: cannot tell the format from {suffix or 'a missing extension'!r}{hint}; use one of "
                     f"{', '.join(sorted(FORMATS))}.")


def column_names(path: Path) -> list[str]:
    """The header of a table file, checked: names present and unique."""
    fmt = format_of(path)
    if not Path(path).is_file():
        raise TableError(f"{path}: no such file.")
    if fmt == "parquet":
        names = list(_parquet(path).schema_arrow.names)
    elif fmt == "excel":
        workbook = _workbook(path)
        try:
            first = next(workbook.worksheets[0].iter_rows(values_only=True), None)
        finally:
            workbook.close()
        names = ["" if v is None else str(v).strip() for v in (first or ())]
        while names and not names[-1]:
            names.pop()
    else:
        delimiter, encoding = text_layout(path)
        with Path(path).open(newline="", encoding=encoding) as fh:
            try:
                names = next(csv.reader(fh, delimiter=delimiter), [])
            except (UnicodeDecodeError, csv.Error) as exc:
                raise TableError(f"{path}: cannot read the header line ({exc}); save the file as UTF-8 text.") from exc
    if not names:
        raise TableError(f"{path}: the file is empty; its first line must name the columns.")
    missing = [i + 1 for i, name in enumerate(names) if not name]
    if missing:
        raise TableError(f"{path}: column(s) {missing} have no name in the header; name every column.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TableError(f"{path}: the header names {repeated} more than once; column names must be unique.")
    return names


def text_layout(path: Path) -> tuple[str, str]:
    """A text table's delimiter and encoding: a ".tsv" is tab-separated, a ".csv" separated by whichever of
    `CSV_DELIMITERS` its header line holds most (commas when it holds none); UTF-8 (with or without a byte-order
    mark) when the whole file decodes as UTF-8, else `FALLBACK_ENCODING`. The check reads the file a block at a
    time, once for each state of the file: a run's header check and its reader share it."""
    stat = Path(path).stat()
    return _text_layout(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _text_layout(path: str, size: int, mtime_ns: int) -> tuple[str, str]:
    fmt = format_of(Path(path))
    encoding = "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with Path(path).open("rb") as fh:
        try:
            while block := fh.read(CSV_BLOCK_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = FALLBACK_ENCODING
    if fmt == "tsv":
        return DELIMITERS["tsv"], encoding
    with Path(path).open(newline="", encoding=encoding, errors="replace") as fh:
        header = re.sub(r'"[^"]*"', "", fh.readline())
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])  # the first listed (a comma) among equals
    return (best if counts[best] else DELIMITERS["csv"]), encoding


def count_rows(path: Path) -> int | None:
    """Rows below the header when the file says so cheaply (Parquet, Excel); None for text files."""
    fmt = format_of(path)
    if fmt == "parquet":
        return _parquet(path).metadata.num_rows
    if fmt == "excel":
        workbook = _workbook(path)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(0, rows - 1) if rows else None
    return None


def read_chunks(path: Path, chunk_rows: int, skip: int = 0) -> Iterator[pa.Table]:
    """The table's rows after the first `skip`, in tables of `chunk_rows` rows (the last may be shorter)."""
    fmt = format_of(path)
    names = column_names(path)
    if fmt == "parquet":
        batches: Iterator[pa.RecordBatch] = _parquet(path).iter_batches(batch_size=chunk_rows)
    elif fmt == "excel":
        batches = _excel_batches(path, names, chunk_rows)
    else:
        batches = _text_batches(path, names)
    yield from _rechunk(batches, chunk_rows, skip, path)


def _rechunk(batches: Iterator[pa.RecordBatch], chunk_rows: int, skip: int, path: Path) -> Iterator[pa.Table]:
    pending: list[pa.RecordBatch] = []
    held = 0
    try:
        for batch in batches:
            if skip:
                dropped = min(skip, batch.num_rows)
                batch, skip = batch.slice(dropped), skip - dropped
            while batch.num_rows:
                take = min(chunk_rows - held, batch.num_rows)
                pending.append(batch.slice(0, take))
                held += take
                batch = batch.slice(take)
                if held == chunk_rows:
                    yield pa.Table.from_batches(pending)
                    pending, held = [], 0
    except pa.ArrowInvalid as exc:
        raise TableError(f"{path}: {exc}. Fix that row (every row needs as many fields as the header).") from exc
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8.") from exc
    if pending:
        yield pa.Table.from_batches(pending)


def _text_batches(path: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    delimiter, encoding = text_layout(path)
    reader = pacsv.open_csv(
        path,
        # One block at a time in this thread: with threads Arrow parses blocks ahead, and memory then
        # grows with the machine's cores and the time coding takes rather than staying at a block.
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False,
                                       encoding="utf8" if encoding == "utf-8-sig" else encoding),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    yield from reader


def _excel_batches(path: Path, names: list[str], chunk_rows: int) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([(n, pa.string()) for n in names])
    workbook = _workbook(path)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        next(rows, None)
        columns: list[list[str | None]] = [[] for _ in names]
        held = 0
        for row in rows:
            cells = list(row[: len(names)]) + [None] * (len(names) - len(row))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue  # blank lines are not records, as in a CSV file
            for column, cell in zip(columns, cells):
                column.append(_cell_text(cell))
            held += 1
            if held == chunk_rows:
                yield pa.record_batch(columns, schema=schema)
                columns, held = [[] for _ in names], 0
        if held:
            yield pa.record_batch(columns, schema=schema)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise TableError(f"{path}: cannot open it as an Excel workbook ({exc}).") from exc


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise TableError(f"{path}: cannot open it as a Parquet file ({exc}).") from exc


class TableWriter:
    """Writes tables of one schema, one after another, to a CSV, TSV, Excel or Parquet file."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: Format | None = None) -> None:
        self.path = Path(path)
        self.format = fmt or format_of(path)
        self.schema = schema
        self.rows = 0
        self._writer: Any = None
        self._sheet: Any = None
        if self.format == "parquet":
            self._writer = pq.ParquetWriter(self.path, schema)
        elif self.format == "excel":
            from openpyxl import Workbook

            self._writer = Workbook(write_only=True)
            self._sheet = self._writer.create_sheet("coded")
            self._sheet.append(schema.names)
        else:
            self._writer = pacsv.CSVWriter(self.path, schema,
                                           write_options=pacsv.WriteOptions(delimiter=DELIMITERS[self.format]))

    def write(self, table: pa.Table) -> None:
        table = table.cast(self.schema) if table.schema != self.schema else table
        if self.format == "excel":
            if self.rows + table.num_rows >= EXCEL_MAX_ROWS:
                raise TableError(f"{self.path}: an Excel sheet holds at most {EXCEL_MAX_ROWS - 1:,} rows; "
                                 "write .csv or .parquet instead.")
            for row in table.to_pylist():
                self._sheet.append([_excel_value(v) for v in row.values()])
        else:
            self._writer.write_table(table) if self.format == "parquet" else self._writer.write(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self.format == "excel":
            self._writer.save(self.path)
        else:
            self._writer.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _excel_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return str(value)
    return value
