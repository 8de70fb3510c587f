"""Streaming output: report JSON lines, mapped CSV/XLSX files with their YAML mappings, truth tables.

Everything is written as it is generated; nothing keeps more than the rows of one open file's
deduplication keys. Files are byte-identical for the same seed (xlsx archives get fixed timestamps).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import yaml
from openpyxl import Workbook

from counterflow.model.statement import make_entity_id

TRUTH_TABLES: dict[str, tuple[str, ...]] = {
    "persons": (
        "id",
        "name",
        "given_name",
        "family_name",
        "gender",
        "birth_date",
        "nationality",
        "roles",
        "organisation",
        "stage",
        "country",
        "is_victim",
        "is_minor",
        "phones",
        "national_id",
        "passport",
        "iban",
        "relatives",
    ),
    "organisations": ("id", "name", "stage", "stage_name", "country", "rival_of", "leader", "members"),
    "ties": ("a", "b", "weight", "same_stage", "stage_a", "stage_b"),
    "phones": ("e164", "person", "shared"),
    "vehicles": ("id", "plate", "country", "model", "owner"),
    "entities": ("reported_entity_id", "agency", "report_id", "schema", "true_id"),
    "mapped_entities": ("reported_entity_id", "agency", "file", "mapping_entity", "keys", "true_id"),
    "movements": ("date", "subject", "kind", "place", "country", "stage", "leg", "party"),
    "payments": ("id", "date", "migrant", "leg", "stage", "payer", "beneficiary", "amount", "currency"),
    "launches": ("date", "organisation", "beach", "boat", "people", "tracked", "outcome", "good_weather"),
    "weather": ("date", "wind_mph", "wave_m", "rating", "good"),
    "shipments": (
        "id",
        "date",
        "supplier",
        "carrier",
        "vehicle",
        "origin",
        "storage",
        "destination",
        "boats",
        "engines",
        "status",
    ),
    "disruptions": ("id", "date", "kind", "agency", "target", "place", "detail"),
    "effects": ("date", "disruption", "kind", "old", "new", "detail"),
}
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class Table:
    """One CSV file written row by row."""

    def __init__(self, path: Path, header: tuple[str, ...] | list[str], *, delimiter: str = ",") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh, delimiter=delimiter, lineterminator="\n")
        self.writer.writerow(header)
        self.rows = 0

    def write(self, row: list[Any] | tuple[Any, ...]) -> None:
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.fh.close()


class XlsxTable:
    """A write-only workbook, saved with fixed timestamps so the archive is reproducible."""

    def __init__(self, path: Path, header: list[str], sheet: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.wb = Workbook(write_only=True)
        fixed = datetime(2026, 1, 1)
        self.wb.properties.created = fixed
        self.wb.properties.modified = fixed
        self.ws = self.wb.create_sheet(sheet)
        self.ws.append(header)
        self.rows = 0

    def write(self, row: list[Any]) -> None:
        self.ws.append(row)
        self.rows += 1

    def close(self) -> None:
        buf = io.BytesIO()
        self.wb.save(buf)
        buf.seek(0)
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in sorted(src.infolist(), key=lambda i: i.filename):
                data = src.read(info.filename)
                if info.filename == "docProps/core.xml":
                    data = _fix_core(data)
                dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _fix_core(data: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)


@dataclass
class MappedFile:
    """A spreadsheet with its YAML mapping; counts the statements its mapping will produce."""

    agency: str
    name: str  # file name without extension
    fmt: str  # "csv", "xlsx"
    folder: str
    header: list[str]
    mapping: dict[str, Any]
    table: Table | XlsxTable
    seen: set[tuple[str, str]] = field(default_factory=set)
    statements: int = 0
    unique: frozenset[str] = frozenset({"call", "read"})  # entities whose keys never repeat in a file

    def add(
        self, row: list[Any], entities: list[tuple[str, tuple[str, ...], int, str]], truth: Table
    ) -> None:
        """Write a row; ``entities`` lists (mapping entity, key values, values produced, true id)."""
        self.table.write(row)
        for ent, keys, n_values, true_id in entities:
            if ent not in self.unique:
                k = (ent, "\x1f".join(keys))
                if k in self.seen:
                    continue
                self.seen.add(k)
            self.statements += n_values
            truth.write(
                (
                    mapped_entity_id(self.agency, ent, keys),
                    self.agency,
                    f"{self.folder}/{self.name}.{self.fmt}",
                    ent,
                    json.dumps(list(keys), ensure_ascii=False),
                    true_id,
                )
            )

    def close(self, out_dir: Path) -> None:
        self.table.close()
        path = out_dir / self.folder / f"{self.name}.yml"
        path.write_text(yaml.safe_dump(self.mapping, sort_keys=False, allow_unicode=True), encoding="utf-8")


def mapped_entity_id(agency: str, entity: str, keys: tuple[str, ...]) -> str:
    """The store id the mapping reader gives a mapped entity (docs/formats/mapping.md, ``keys``)."""
    digest = hashlib.sha1("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]
    return make_entity_id(agency, f"{entity.replace('_', '-')}-{digest}")


class Output:
    """All files of one generated scenario, with the counts the manifest reports."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        for sub in ("reports", "cdr", "anpr", "sheets", "truth"):
            (out_dir / sub).mkdir(parents=True, exist_ok=True)
        self.reports: dict[str, IO[str]] = {}
        self.truth = {
            name: Table(out_dir / "truth" / f"{name}.csv", header) for name, header in TRUTH_TABLES.items()
        }
        self.mapped: dict[str, MappedFile] = {}
        self.files: Counter[str] = Counter()  # rows or reports per file
        self.formats: Counter[str] = Counter()  # reports per format
        self.agency_reports: Counter[str] = Counter()
        self.agency_statements: Counter[str] = Counter()
        self.statements = 0

    def report(self, agency: str, report: dict[str, Any], statements: int) -> None:
        fh = self.reports.get(agency)
        if fh is None:
            fh = (self.out_dir / "reports" / f"{agency}.jsonl").open("w", encoding="utf-8", newline="\n")
            self.reports[agency] = fh
        fh.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n")
        self.files[f"reports/{agency}.jsonl"] += 1
        self.formats["report-jsonl"] += 1
        self.agency_reports[agency] += 1
        self.agency_statements[agency] += statements
        self.statements += statements

    def open_mapped(
        self,
        key: str,
        agency: str,
        name: str,
        fmt: str,
        folder: str,
        header: list[str],
        mapping: dict[str, Any],
        sheet: str = "Sheet1",
        delimiter: str = ",",
    ) -> MappedFile:
        mf = self.mapped.get(key)
        if mf is None:
            path = self.out_dir / folder / f"{name}.{fmt}"
            table: Table | XlsxTable = (
                XlsxTable(path, header, sheet) if fmt == "xlsx" else Table(path, header, delimiter=delimiter)
            )
            mf = MappedFile(agency, name, fmt, folder, header, mapping, table)
            self.mapped[key] = mf
        return mf

    def close_mapped(self, key: str) -> None:
        mf = self.mapped.pop(key)
        before = mf.statements
        mf.close(self.out_dir)
        path = f"{mf.folder}/{mf.name}.{mf.fmt}"
        self.files[path] = mf.table.rows
        self.formats[f"{mf.folder}-{mf.fmt}"] += 1
        self.agency_reports[mf.agency] += 1
        self.agency_statements[mf.agency] += before
        self.statements += before

    def pending_statements(self) -> int:
        return self.statements + sum(m.statements for m in self.mapped.values())

    def close(self) -> None:
        for key in sorted(self.mapped):
            self.close_mapped(key)
        for fh in self.reports.values():
            fh.close()
        for t in self.truth.values():
            t.close()
