"""Streaming rows out of CSV and Excel files, with every defect named by row and column.

Rows are read one at a time (``csv.reader`` over a text stream; openpyxl in read-only
mode), so memory does not grow with the file. Row numbers count the header as row 1
and match what a spreadsheet program shows (a quoted cell spanning lines is one row).

Defects of one row (bytes not valid in the declared encoding, NUL bytes, more or fewer
cells than the header) are attached to that row; defects that stop reading (an
unterminated quote, an oversized cell, a corrupt sheet) end the rows with a fatal row;
defects of the whole file (not a zip, a zip bomb, an unreadable header) raise
``FileRejected`` before any row.

Excel files are zip archives: before openpyxl sees one, the sizes its entries declare
are checked against ``MAX_XLSX_BYTES`` and ``MAX_XLSX_RATIO``. Python's zipfile never
inflates an entry beyond its declared size, so the declared sizes bound what is read.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError, Problem
from counterflow.ingest.readers.mapping_spec import SourceSpec

MAX_XLSX_BYTES = 200 * 1024 * 1024  # total declared uncompressed size
MAX_XLSX_RATIO = 100  # declared size / compressed size, for entries over RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024
_BAD_BYTES = re.compile(r"[\udc80-\udcff]")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls")


class FileRejected(Exception):
    """The file as a whole cannot be read; ``problems`` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class Row:
    number: int
    values: list[str]
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # nothing after this row could be read


@dataclass
class Table:
    header: list[str]
    rows: Iterator[Row]

    def index(self) -> dict[str, int]:
        """Column name → position (first occurrence)."""
        out: dict[str, int] = {}
        for i, name in enumerate(self.header):
            out.setdefault(name, i)
        return out


def table_format(path: Path, source: SourceSpec) -> str:
    if source.format:
        return source.format
    return "xlsx" if path.suffix.lower() in XLSX_SUFFIXES else "csv"


@contextlib.contextmanager
def open_table(path: Path, source: SourceSpec) -> Iterator[Table]:
    """The header and a row iterator of a CSV or xlsx file; raises FileRejected or ConfigurationError."""
    if table_format(path, source) == "xlsx":
        with _open_xlsx(path, source) as table:
            yield table
        return
    try:
        fh = path.open("r", encoding=source.encoding, errors="surrogateescape", newline="")
    except OSError as exc:
        raise FileRejected([Problem(str(path), None, f"cannot open ({exc.strerror})")]) from None
    with fh:
        yield _csv_table(path, fh, source)


def _decode_problem(where: str, value: str, encoding: str) -> Problem:
    shown = _BAD_BYTES.sub("\ufffd", value)[:200]
    return Problem(
        where,
        shown,
        f"bytes that are not valid {encoding} text (is the file in another encoding? set source.encoding)",
    )


def _csv_table(path: Path, fh: Any, source: SourceSpec) -> Table:
    name = path.name
    reader = csv.reader(fh, delimiter=source.delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileRejected([Problem(f"{name} row 1", None, f"broken header row: {exc}")]) from None
    if header is None:
        raise FileRejected([Problem(name, None, "empty file: no header row")])
    if header:
        header[0] = header[0].removeprefix("\ufeff")
    header = [h.strip() for h in header]
    bad = [h for h in header if _BAD_BYTES.search(h) or "\x00" in h]
    if bad:
        raise FileRejected([_decode_problem(f"{name} row 1", bad[0], source.encoding)])
    return Table(header, _csv_rows(name, reader, header, source.encoding))


def _csv_rows(name: str, reader: Any, header: list[str], encoding: str) -> Iterator[Row]:
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            reason = str(exc)
            if "end of data" in reason or "field larger" in reason:
                reason = f"{reason}: an unterminated quote, or a cell too large; reading stopped here"
            yield Row(
                number,
                [],
                [Problem(f"{name} row {number} (line {reader.line_num})", None, reason)],
                fatal=True,
            )
            return
        if cells is None:
            return
        if not cells:  # blank line
            yield Row(number, [""] * len(header))
            continue
        problems: list[Problem] = []
        for i, cell in enumerate(cells):
            col = header[i] if i < len(header) else f"{i + 1} (beyond the header)"
            if _BAD_BYTES.search(cell):
                problems.append(_decode_problem(f"{name} row {number}, column {col}", cell, encoding))
            elif "\x00" in cell:
                shown = cell.replace("\x00", "\\0")[:200]
                problems.append(
                    Problem(
                        f"{name} row {number}, column {col}",
                        shown,
                        "NUL byte in cell (binary or UTF-16 data?)",
                    )
                )
        if len(cells) > len(header):
            extra = next((c for c in cells[len(header) :] if c.strip()), cells[len(header)])
            problems.append(
                Problem(
                    f"{name} row {number}, column {len(header) + 1}",
                    extra[:200],
                    f"row has {len(cells)} cells but the header has {len(header)} "
                    "(unquoted delimiter in a value?)",
                )
            )
        elif len(cells) < len(header):
            missing = ", ".join(header[len(cells) :])
            reason = f"row has {len(cells)} cells but the header has {len(header)} (missing: {missing})"
            problems.append(Problem(f"{name} row {number}", None, reason))
        values = [c.strip() for c in cells[: len(header)]]
        values += [""] * (len(header) - len(values))
        yield Row(number, values, problems)


def check_zip(path: Path) -> None:
    """Refuse a file that is not a zip, or whose declared uncompressed size or ratio is too large."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a zip needing a version or feature zipfile lacks (damaged, or not Excel's)
        reason = f"not a valid xlsx file (not a zip archive Excel writes: {exc})"
        raise FileRejected([Problem(name, None, reason)]) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_BYTES:
        raise FileRejected(
            [
                Problem(
                    name,
                    None,
                    f"declares {total // 2**20} MiB uncompressed, over the "
                    f"{MAX_XLSX_BYTES // 2**20} MiB limit (zip bomb?); "
                    "split the workbook or export CSV",
                )
            ]
        )
    for info in infos:
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise FileRejected(
                [
                    Problem(
                        f"{name} entry {info.filename}",
                        None,
                        f"compression ratio {ratio}:1 over the {MAX_XLSX_RATIO}:1 limit "
                        "(zip bomb?); export CSV instead",
                    )
                ]
            )


def cell_text(value: Any) -> str:
    """An Excel cell value as text: dates in ISO 8601 (midnight means a date), whole floats without .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


@contextlib.contextmanager
def _open_xlsx(path: Path, source: SourceSpec) -> Iterator[Table]:
    import openpyxl

    name = path.name
    check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise FileRejected(
            [Problem(name, None, f"not a readable xlsx workbook ({type(exc).__name__}: {str(exc)[:200]})")]
        ) from None
    try:
        if source.sheet is not None and source.sheet not in wb.sheetnames:
            msg = f"{name}: no sheet {source.sheet!r} (sheets: {', '.join(wb.sheetnames)})"
            raise ConfigurationError(msg, problems=[msg])
        if not wb.worksheets:
            raise FileRejected([Problem(name, None, "the workbook has no worksheet")])
        ws = wb[source.sheet] if source.sheet is not None else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            first = next(rows, None)
        except Exception as exc:
            raise FileRejected([Problem(f"{name} row 1", None, f"unreadable sheet ({exc})")]) from None
        if first is None:
            raise FileRejected([Problem(name, None, f"sheet {ws.title!r} is empty: no header row")])
        header = [cell_text(v) for v in first]
        while header and not header[-1]:
            header.pop()
        yield Table(header, _xlsx_rows(name, rows, header))
    finally:
        wb.close()


def _xlsx_rows(name: str, rows: Iterator[tuple[Any, ...]], header: list[str]) -> Iterator[Row]:
    number = 1
    while True:
        number += 1
        try:
            raw = next(rows, None)
        except Exception as exc:
            reason = f"unreadable row ({type(exc).__name__}: {str(exc)[:200]}); reading stopped"
            yield Row(number, [], [Problem(f"{name} row {number}", None, reason)], fatal=True)
            return
        if raw is None:
            return
        values = [cell_text(v) for v in raw]
        problems = [
            Problem(
                f"{name} row {number}, column {i + 1} (beyond the header)",
                v[:200],
                f"value in a column without a header (the header has {len(header)} columns)",
            )
            for i, v in enumerate(values[len(header) :], start=len(header))
            if v
        ]
        values = values[: len(header)] + [""] * max(0, len(header) - len(values))
        yield Row(number, values, problems)
