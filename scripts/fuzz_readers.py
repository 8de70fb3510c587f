"""Coverage-guided fuzzing (atheris, libFuzzer) of every reader, through to report validation.

    .venv/bin/python scripts/fuzz_readers.py native -max_total_time=600      # ten minutes
    .venv/bin/python scripts/fuzz_readers.py anpr -runs=5000 -rss_limit_mb=1024 -timeout=10

Targets: native (JSON lines reports), text (a report's free text, any script), ftm (FtM entity
lines), statements (FtM statement CSV), cdr and anpr (CSV through the shipped mappings), xlsx
(Excel through the cdr mapping: broken and oversized zips). Each input is written to a file
of the right name, read with ``read_path`` as ``counterflow ingest`` reads it, and every report
read is validated with ``parse_report``. The only failure a reader may report is one of
Counterflow's own errors (``Rejected`` items, ``ReportRejected``, ``InvalidValue``,
``ConfigurationError``...): any other exception is a crash and stops the run with the input
that caused it saved (``crash-*``). libFuzzer's ``-timeout`` and ``-rss_limit_mb`` catch hangs
and unbounded memory. Without arguments after the target, a short run (2,000 inputs).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import pkgutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["counterflow"]):  # our code; libraries run uninstrumented
    # Readers are imported when first needed: import them all now, so they are instrumented.
    import counterflow.ingest
    import counterflow.model
    from counterflow.errors import CounterflowError
    from counterflow.ingest.mentions import NameIndex
    from counterflow.ingest.pipeline import read_path
    from counterflow.ingest.readers.base import JsonLine, RawReport
    from counterflow.ingest.report import parse_report

    for _package in (counterflow.ingest, counterflow.model):
        for _module in pkgutil.walk_packages(_package.__path__, f"{_package.__name__}."):
            importlib.import_module(_module.name)

WORK = Path(tempfile.mkdtemp(prefix="cf-fuzz-"))
HEADER = dict(
    agency="rs_mup",
    report_id="FUZZ-{file_stem}",
    reported_at="2026-03-13",
    grading="4x4:A1",
    handling="SIENA:H1",
    classification="OFFICIAL",
)
SEED_REPORT = {
    "format": "counterflow.report/1",
    "agency": "rs_mup",
    "report_id": "F-1",
    "reported_at": "2026-03-14",
    "language": "sr",
    "grading": {"scheme": "3x5x2", "source": "2", "information": "B"},
    "handling": {"scheme": "3x5x2", "code": "P"},
    "classification": "OFFICIAL",
    "entities": [{"id": "p1", "schema": "Person", "properties": {"name": ["Мухамед Алхасан"]}}],
}
NAMES = NameIndex()


def _validate(path: Path, mapping: str | None = None, header: bool = False) -> None:
    """Read and validate; Counterflow's own errors (a file or a report rejected) are the answer."""
    options = HEADER if header else None
    try:
        for read in read_path(path, mapping=mapping, header_options=options):
            item = read.decode() if isinstance(read, JsonLine) else read  # JSON lines decode lazily
            if isinstance(item, RawReport):
                parse_report(item.data, source=item.source, names=NAMES)
    except CounterflowError:
        pass


def _file(name: str, data: bytes) -> Path:
    """The input as a file of the name that chooses the reader (written anew for each input)."""
    path = WORK / name
    path.write_bytes(data)
    return path


def target(kind: str):  # type: ignore[no-untyped-def]
    def native(data: bytes) -> None:
        _validate(_file("fuzz.jsonl", data))

    def text(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        report = {**SEED_REPORT, "text": fdp.ConsumeUnicodeNoSurrogates(len(data))}
        with contextlib.suppress(CounterflowError):
            parse_report(report, names=NAMES)

    def ftm(data: bytes) -> None:
        _validate(_file("fuzz.json", data), header=True)

    def statements(data: bytes) -> None:
        _validate(_file("fuzz.csv", data), header=True)

    def cdr(data: bytes) -> None:
        _validate(_file("fuzz.csv", data), mapping="cdr", header=True)

    def anpr(data: bytes) -> None:
        _validate(_file("fuzz.csv", data), mapping="anpr", header=True)

    def xlsx(data: bytes) -> None:
        _validate(_file("fuzz.xlsx", data), mapping="cdr", header=True)

    found = dict(native=native, text=text, ftm=ftm, statements=statements, cdr=cdr, anpr=anpr, xlsx=xlsx)
    if kind not in found:
        raise SystemExit(f"unknown target {kind!r}; one of {', '.join(found)}")
    return found[kind]


SEEDS = {
    "native": json.dumps(SEED_REPORT, ensure_ascii=False).encode() + b"\n",
    "text": "Alhasan called +381 64 123 4567 from Belgrade; Алхасан, محمد الحسن".encode(),
    "ftm": b'{"id": "p1", "schema": "Person", "properties": {"name": ["Goran"], "phone": ["+38164123"]}}\n',
    "statements": b"entity_id,schema,prop,value\np1,Person,name,Goran\np1,Person,phone,+381641234567\n",
    "cdr": b"record_id,caller,callee,start,duration_s,cell_id,cell_lat,cell_lon\n"
    b"1,+381641234567,+381641111111,2026-03-12T03:40,60,BG-1,44.8,20.4\n",
    "anpr": b"read_id,plate,country,camera_id,camera_name,lat,lon,read_at,direction\n"
    b"r1,BG123AB,RS,CAM-1,Horgos,46.15,19.97,2026-03-12T03:40,north\n",
}


def _xlsx_seed() -> bytes:
    """A real workbook of call records, so mutations start from what an agency sends."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["record_id", "caller", "callee", "start", "duration_s", "cell_id", "cell_lat", "cell_lon"])
    sheet.append([1, "+381641234567", "+381641111111", "2026-03-12T03:40", 60, "BG-1", 44.8, 20.4])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    kind = sys.argv[1]
    corpus = WORK / f"corpus-{kind}"
    corpus.mkdir()
    (corpus / "seed").write_bytes(_xlsx_seed() if kind == "xlsx" else SEEDS.get(kind, b""))
    args = [sys.argv[0], *sys.argv[2:]]
    if len(args) == 1:
        args += ["-runs=2000"]
    args += ["-max_len=8192", str(corpus)]
    if not any(a.startswith("-timeout=") for a in args):
        args.append("-timeout=10")
    if not any(a.startswith("-rss_limit_mb=") for a in args):
        args.append("-rss_limit_mb=1536")
    atheris.Setup(args, target(kind))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
