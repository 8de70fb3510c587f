"""The store: one implementation over SQLAlchemy Core for SQLite and PostgreSQL.

Queries are SQLAlchemy Core; the two places the dialects differ are isolated here:
full-text search (FTS5 vs ``to_tsvector``) and the bulk write path, which goes to the
driver directly (sqlite3 ``executemany``; psycopg ``COPY``) because statement rows are
written by the million and SQLAlchemy's per-row overhead would dominate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Select,
    bindparam,
    column,
    create_engine,
    event,
    func,
    literal,
    literal_column,
    make_url,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from counterflow.errors import InvalidValue, NotFound, StoreError, StoreUnavailable
from counterflow.model.handling import Classification
from counterflow.model.normalise import name_tokens
from counterflow.model.statement import Fact, Statement
from counterflow.model.visibility import Agreement, Meta, NameEntry, Sharing, Viewer
from counterflow.store import audit_chain, schema, schema_policy
from counterflow.store.checkpoints import BUSY_TIMEOUT_MS, Checkpointer
from counterflow.store.group_commit import GroupCommit
from counterflow.store.migrations import migrate
from counterflow.store.prepared import Prepared
from counterflow.store.rows import FACT_COLUMNS, StatementRow, row_to_fact, row_to_statement
from counterflow.store.safeguards import mark_protected, open_safeguarding_tasks
from counterflow.store.selectors import selector_rows
from counterflow.store.visibility import restrict, visible

log = logging.getLogger(__name__)
T = TypeVar("T")

_INSERT_SQLITE = (
    f"INSERT INTO statements ({', '.join(schema.STATEMENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in schema.STATEMENT_COLUMNS)})"
)
# New rows get rowids above the previous maximum (SQLite's rule, and one writer at a time).
_FTS_SQLITE = (
    "INSERT INTO statement_fts(rowid, value, original_value) "
    "SELECT rowid, value, coalesce(original_value, '') FROM statements "
    "WHERE rowid > ? AND prop_type IN ('name', 'text')"
)
_COPY_PG = f"COPY statements ({', '.join(schema.STATEMENT_COLUMNS)}) FROM STDIN"


@lru_cache(maxsize=256)
def _facts_query(viewer: Viewer, prop_types: tuple[str, ...], props: tuple[str, ...]) -> Prepared:
    """What ``facts_for_entities`` runs, built once per viewer and kinds of value: a link chart
    asks it for every hop, and building the SELECT (sixteen columns and the viewer's visibility
    condition) and hashing it for the compiled cache each time took several per cent of a
    chart's time in a profile. The entity ids come as the expanding parameter ``values``."""
    st = schema.statements
    kinds = or_(st.c.prop_type.in_(prop_types), st.c.prop.in_(props))
    ids = st.c.entity_id.in_(bindparam("values", expanding=True))
    return Prepared(restrict(select(*(st.c[c] for c in FACT_COLUMNS)).where(ids, kinds), viewer))


@lru_cache(maxsize=256)
def _holders_query(viewer: Viewer, prop_type: str) -> Prepared:
    """What ``entities_with_values`` runs, built once per viewer and type of value (with the
    values and the row limit as parameters): every hop of a link chart asks it."""
    st = schema.statements
    q = (
        select(st.c.entity_id, st.c.schema)
        .where(
            st.c.prop_type == prop_type,
            st.c.prop_type != "text",
            st.c.value.in_(bindparam("values", expanding=True)),
        )
        .distinct()
        .limit(bindparam("limit", type_=Integer))
    )
    return Prepared(restrict(q, viewer), params=("limit",))


@lru_cache(maxsize=64)
def _stored_hashes(n: int) -> Select[tuple[str, str]]:
    """The stored hashes of ``n`` report keys (parameters k0…), built once per ``n``: the service
    asks for every batch of reports, and building a SELECT, or expanding an IN list, each time
    was most of this lookup's cost in a profile of the ingest thread."""
    keys = schema.reports.c.report_key
    where = keys == bindparam("k0") if n == 1 else keys.in_([bindparam(f"k{i}") for i in range(n)])
    return select(keys, schema.reports.c.sha256).where(where)


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A validated report ready to be written: its ``reports`` row and its statement rows."""

    report: dict[str, Any]
    statements: list[StatementRow] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.report["report_key"])


@dataclass(frozen=True, slots=True)
class SearchHit:
    entity_id: str
    schema: str
    value: str
    original_value: str | None
    agency: str
    score: float


def _sqlite_pragmas(service: bool) -> Callable[[Any, ConnectionPoolEntry], None]:
    """Every SQLite connection's pragmas. The service's connections (``service``) also leave
    checkpoints to a thread of their own (store.checkpoints) and take an 8 MiB page cache
    instead of 32: it keeps more of them (``_pool_options``), the operating system caches the
    file for all of them, and a 2 MiB cache served the API bench's reads as fast as 32 MiB did
    (docs/operations.md)."""

    def on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute(f"PRAGMA cache_size={-8192 if service else -32768}")
        cur.execute("PRAGMA journal_size_limit=67108864")  # a restarted log keeps at most 64 MiB of its file
        if service:
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    return on_connect


def _pool_options(url: str, service: bool) -> dict[str, int]:
    """The service's SQLite pool keeps as many connections as its requests use at once.

    SQLAlchemy's pool keeps five and closes any connection beyond them when it is returned.
    Under a steady 200 requests a second more than five requests read at once, and the pool
    kept opening connections (and setting their pragmas): one sample in twelve of a profile
    of the service under the alert bench. It now keeps fifteen and opens up to forty, as many
    as the request threads; each has a smaller page cache (``_sqlite_pragmas``), so that
    fifteen of them, full, hold less than five did. PostgreSQL and the command line keep the
    defaults: PostgreSQL's connections count against the server's limit, across every worker.
    """
    parsed = make_url(url)
    if service and parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return {"pool_size": 15, "max_overflow": 25}
    return {}


def _latin(word: str) -> list[str]:
    try:
        return name_tokens(word)
    except InvalidValue:
        return []


_SHARING_FINGERPRINT = select(
    select(func.count()).select_from(schema_policy.agencies).scalar_subquery(),
    select(func.coalesce(func.max(schema_policy.agreements.c.id), 0)).scalar_subquery(),
    select(func.count())
    .select_from(schema_policy.agreements)
    .where(schema_policy.agreements.c.revoked_at.is_(None))
    .scalar_subquery(),
)


class SqlStore:
    """Counterflow's store on SQLite (embedded default) or PostgreSQL."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        selector_key: bytes | None = None,
        background_checkpoints: bool = False,
    ) -> None:
        """``background_checkpoints``: for a long-running writer on SQLite (the service), take
        WAL checkpoints out of commits into a thread of their own (store.checkpoints)."""
        self.url = url
        self.selector_key = selector_key
        # Processing-log records of reads, from many request threads: one transaction a batch.
        self.consultations: GroupCommit[audit_chain.Entry, int] = GroupCommit(self._append_entries)
        self._sharing: tuple[tuple[int, ...], Sharing] | None = None
        self.checkpointer: Checkpointer | None = None
        try:
            self.engine: Engine = create_engine(
                url, echo=echo, future=True, **_pool_options(url, service=background_checkpoints)
            )
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas(service=background_checkpoints))
            self.version = migrate(self.engine)
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot open the store at {self._safe_url()}: {exc.orig}") from exc
        if background_checkpoints and self.dialect == "sqlite":
            self.checkpointer = Checkpointer(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True) if hasattr(self, "engine") else "?"

    def ping(self) -> None:
        """A round trip to the database (raises if it cannot be reached)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------

    def existing_reports(self, keys: Sequence[str]) -> dict[str, str]:
        """report_key → sha256 for those of ``keys`` already stored."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                params = {f"k{i}": key for i, key in enumerate(chunk)}
                found.update(
                    (r.report_key, r.sha256) for r in conn.execute(_stored_hashes(len(chunk)), params)
                )
        return found

    def write_reports(self, records: Sequence[ReportRecord], *, actor: str = "ingest") -> dict[str, str]:
        """Write whole reports in one transaction; returns report_key → added | unchanged | conflict.

        A report already stored with the same content hash is skipped (idempotent); one
        stored with a different hash is a conflict and is not written (the others are).
        The same transaction adds the reports' selector hashes (hit/no-hit), opens the
        duty-to-notify tasks their victims and minors call for, and appends one
        "collection" record to the processing log naming every report written.
        """
        return self.write_report_groups([(actor, records)])

    def write_report_groups(self, groups: Sequence[tuple[str, Sequence[ReportRecord]]]) -> dict[str, str]:
        """``write_reports`` for several submitters at once: (actor, reports) pairs written in one
        transaction, with one "collection" record per actor naming that actor's reports.

        The service's ingest thread writes what many callers sent in one commit; a commit costs
        a WAL page for every table and index the reports touch, so it is the largest fixed cost
        of a report written alone. Each report is still stored whole or not at all.
        """
        outcome: dict[str, str] = {}
        existing = self.existing_reports([r.key for _, records in groups for r in records])
        taken: dict[str, str] = {}  # report_key → sha256 of the copy this call writes
        fresh: list[tuple[str, list[ReportRecord]]] = []
        for actor, records in groups:
            mine: list[ReportRecord] = []
            for rec in records:
                stored = existing.get(rec.key, taken.get(rec.key))
                if stored is not None:  # already stored, or earlier in this call
                    outcome[rec.key] = "unchanged" if stored == rec.report["sha256"] else "conflict"
                    continue
                taken[rec.key] = rec.report["sha256"]
                mine.append(rec)
            if mine:
                fresh.append((actor, mine))
        if not fresh:
            return outcome
        every = [rec for _, mine in fresh for rec in mine]
        try:
            with self.engine.begin() as conn:
                conn.execute(schema.reports.insert(), [{"sanitised": False, **rec.report} for rec in every])
                rows = [row for rec in every for row in rec.statements]
                self._insert_statements(conn, rows)
                if self.selector_key is not None:
                    selectors = selector_rows(rows, self.selector_key)
                    if selectors:
                        conn.execute(schema_policy.selector_index.insert(), selectors)
                open_safeguarding_tasks(conn, rows)
                mark_protected(conn, rows)
                audit_chain.append_many(conn, [_collection(actor, mine) for actor, mine in fresh])
        except IntegrityError:
            # Another writer stored one of these reports meanwhile: settle them one by one.
            if len(every) > 1:
                for actor, mine in fresh:
                    for rec in mine:
                        outcome.update(self.write_report_groups([(actor, [rec])]))
                return outcome
            [(actor, [rec])] = fresh
            stored = self.existing_reports([rec.key]).get(rec.key)
            if stored is None:
                raise StoreError(f"report {rec.key}: duplicate statement ids", report=rec.key) from None
            return {**outcome, **self.write_report_groups([(actor, [rec])])}
        except OperationalError as exc:
            raise StoreUnavailable(f"store unavailable while writing: {exc.orig}") from exc
        outcome.update({rec.key: "added" for rec in every})
        return outcome

    def _insert_statements(self, conn: Connection, rows: list[StatementRow]) -> None:
        if not rows:
            return
        raw = conn.connection.dbapi_connection
        assert raw is not None
        if self.dialect == "sqlite":
            cur = raw.cursor()
            last = cur.execute("SELECT coalesce(max(rowid), 0) FROM statements").fetchone()[0]
            cur.executemany(_INSERT_SQLITE, rows)
            cur.execute(_FTS_SQLITE, (last,))
            cur.close()
        else:
            cur = raw.cursor()
            try:
                with cur.copy(_COPY_PG) as copy:  # psycopg 3 COPY: the fastest way in
                    for row in rows:
                        copy.write_row(row)
            finally:
                cur.close()

    def _append_entries(self, entries: list[audit_chain.Entry]) -> list[int]:
        with self.engine.begin() as conn:  # one at a time: the group has one leader
            return audit_chain.append_many(conn, entries)

    # -- reading: every read takes the viewer and sees only what the viewer may see ------

    def statements_for_entities(
        self,
        entity_ids: Iterable[str],
        *,
        viewer: Viewer,
        prop_types: Sequence[str] | None = None,
        props: Sequence[str] = (),
    ) -> list[Statement]:
        """The visible statements of these entities; with ``prop_types``, only those of these value
        types (and of ``props``), e.g. what a graph needs without report bodies."""
        st = schema.statements
        where = (
            []
            if prop_types is None
            else [or_(st.c.prop_type.in_(list(prop_types)), st.c.prop.in_(list(props)))]
        )
        out = self._statements_where_in(st.c.entity_id, entity_ids, viewer, where)
        out.sort(key=lambda s: (s.entity_id, s.prop, s.reported_at, s.id))
        return out

    def facts_for_entities(
        self,
        entity_ids: Iterable[str],
        *,
        viewer: Viewer,
        prop_types: Sequence[str],
        props: Sequence[str] = (),
        first_only: Collection[str] = (),
    ) -> list[Fact]:
        """The visible statements of these entities of these value types (and ``props``), as facts
        (value, time, markings: what a graph reads); of ``first_only`` properties, only the
        earliest statement (by reported time, then id) of each distinct value.

        A link chart's caption, roles and country need each value once, not every report that
        repeats it: on a hub's neighbourhood the repeats were two thirds of the rows."""
        query = _facts_query(viewer, tuple(prop_types), tuple(props))
        facts = self._read_in(query, row_to_fact, entity_ids)
        facts.sort(key=lambda f: (f.entity_id, f.prop, f.reported_at, f.id))
        if not first_only:
            return facts
        seen: set[tuple[str, str, str]] = set()
        out: list[Fact] = []
        for f in facts:
            if f.prop in first_only:
                key = (f.entity_id, f.prop, f.value)
                if key in seen:
                    continue
                seen.add(key)
            out.append(f)
        return out

    def statements_by_ids(self, ids: Iterable[str], *, viewer: Viewer) -> list[Statement]:
        """Those of these statements the viewer may see."""
        return self._statements_where_in(schema.statements.c.id, ids, viewer)

    def _statements_where_in(
        self, column: Any, values: Iterable[str], viewer: Viewer, where: Sequence[Any] = ()
    ) -> list[Statement]:
        """Visible statements whose ``column`` is one of ``values``, read 500 values a query."""
        return self._rows_where_in([schema.statements], row_to_statement, column, values, viewer, where)

    def _rows_where_in(
        self,
        columns: Sequence[Any],
        convert: Callable[[Any], T],
        column: Any,
        values: Iterable[str],
        viewer: Viewer,
        where: Sequence[Any] = (),
    ) -> list[T]:
        """``convert`` of the visible rows (``columns``) whose ``column`` is one of ``values``,
        read 500 values a query."""
        query = select(*columns).where(column.in_(bindparam("values", expanding=True)), *where)
        return self._read_in(restrict(query, viewer), convert, values)

    def _read_in(
        self, query: Select[Any] | Prepared, convert: Callable[[Any], T], values: Iterable[str]
    ) -> list[T]:
        """``convert`` of the rows of ``query`` (which takes its ``values`` as an expanding
        parameter), 500 values a query. A query built once and kept comes ``Prepared``."""
        wanted = sorted(set(values))
        out: list[T] = []
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                if isinstance(query, Prepared):
                    out.extend(map(convert, query.rows(conn, chunk)))
                    continue
                result = conn.execute(query, {"values": chunk})
                # The statement columns are plain text and integers (no result processing to
                # skip), so the driver's own tuples are read: a Row per value cost a tenth of
                # a link chart's time.
                out.extend(map(convert, result.cursor.fetchall()))
                result.close()
        return out

    def handling_of(self, ids: Iterable[str]) -> set[str]:
        """The handling codes ("3x5x2 C", "SIENA H2") of these statements: what a hit/no-hit notice says."""
        st = schema.statements
        q = select(st.c.handling_scheme, st.c.handling_code).where(st.c.id.in_(sorted(set(ids)))).distinct()
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return {f"{a} {b}" for a, b in rows}

    def statements_for_entity(self, entity_id: str, *, viewer: Viewer) -> list[Statement]:
        """An entity's visible statements; NotFound if none (the same whether absent or hidden)."""
        found = self.statements_for_entities([entity_id], viewer=viewer)
        if not found:
            raise NotFound(f"no entity {entity_id!r}", entity_id=entity_id)
        return found

    def statements_for_report(self, agency: str, report_id: str, *, viewer: Viewer) -> list[Statement]:
        st = schema.statements
        q = select(st).where(st.c.report_key == f"{agency}:{report_id}").order_by(st.c.id)
        with self.engine.connect() as conn:
            return [row_to_statement(dict(r._mapping)) for r in conn.execute(restrict(q, viewer))]

    def iter_statements(
        self,
        *,
        viewer: Viewer,
        batch: int = 10_000,
        prop_types: Sequence[str] | None = None,
        schemata: Sequence[str] | None = None,
    ) -> Iterator[Statement]:
        """Every visible statement, streamed in batches in (entity, id) order (bounded memory)."""
        st = schema.statements
        last: tuple[str, str] = ("", "")
        with self.engine.connect() as conn:
            while True:
                q = (
                    select(st)
                    .where(tuple_(st.c.entity_id, st.c.id) > tuple_(literal(last[0]), literal(last[1])))
                    .order_by(st.c.entity_id, st.c.id)
                    .limit(batch)
                )
                if prop_types:
                    q = q.where(st.c.prop_type.in_(list(prop_types)))
                if schemata:
                    q = q.where(st.c.schema.in_(list(schemata)))
                rows = conn.execute(restrict(q, viewer)).all()
                if not rows:
                    return
                for r in rows:
                    yield row_to_statement(dict(r._mapping))
                last = (rows[-1].entity_id, rows[-1].id)

    def find_by_value(self, prop_type: str, value: str, *, viewer: Viewer) -> list[Statement]:
        st = schema.statements
        q = select(st).where(st.c.prop_type == prop_type, st.c.prop_type != "text", st.c.value == value)
        with self.engine.connect() as conn:
            return [row_to_statement(dict(r._mapping)) for r in conn.execute(restrict(q, viewer))]

    def entities_with_values(
        self, prop_type: str, values: Iterable[str], *, viewer: Viewer, limit: int | None = None
    ) -> dict[str, str]:
        """Entities (id → schema) with a visible statement of ``prop_type`` equal to one of ``values``:
        who references these entity ids (``entity``), who holds these phones, e-mails or IBANs."""
        vals = sorted(set(values))
        query = _holders_query(viewer, prop_type)
        out: dict[str, str] = {}
        # No limit is a limit past any store's rows (a LIMIT parameter must be a number).
        room = 2**31 - 1 if limit is None else limit + 1
        with self.engine.connect() as conn:
            for start in range(0, len(vals), 500):
                for eid, sch in query.rows(conn, vals[start : start + 500], limit=room - len(out)):
                    out.setdefault(str(eid), str(sch))
                if len(out) >= room:
                    break
        return out

    def search(self, query: str, *, viewer: Viewer, limit: int = 20) -> list[SearchHit]:
        """Full-text search over visible names and free text; ``query`` is matched as words (AND)."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split() if w]
        if not words:
            return []
        # Each word as written and in its comparable Latin form: Алхасан finds Alhasan and back.
        forms = [sorted({w.lower(), *_latin(w)}) for w in words]
        st = schema.statements
        cols = [st.c.entity_id, st.c.schema, st.c.value, st.c.original_value, st.c.agency]
        if self.dialect == "sqlite":
            match = " AND ".join("(" + " OR ".join(f'"{f}"*' for f in fs) + ")" for fs in forms)
            q = (
                select(*cols, (-_FTS.c.rank).label("score"))
                .select_from(st.join(_FTS, literal_column("statements.rowid") == _FTS.c.rowid))
                .where(_FTS.c.statement_fts.op("MATCH")(match))
                .order_by(_FTS.c.rank)
            )
        else:
            document = func.to_tsvector("simple", st.c.value + " " + func.coalesce(st.c.original_value, ""))
            tsq = func.to_tsquery(
                "simple", " & ".join("(" + " | ".join(f"{f}:*" for f in fs) + ")" for fs in forms)
            )
            q = (
                select(*cols, func.ts_rank(document, tsq).label("score"))
                .where(st.c.prop_type.in_(["name", "text"]), document.op("@@")(tsq))
                .order_by(literal_column("score").desc())
            )
        with self.engine.connect() as conn:
            rows = conn.execute(restrict(q, viewer).limit(limit * 5)).all()
        hits: dict[str, SearchHit] = {}
        for r in rows:
            if r.entity_id not in hits:
                hits[r.entity_id] = SearchHit(
                    r.entity_id, r.schema, r.value, r.original_value, r.agency, float(r.score)
                )
        return list(hits.values())[:limit]

    def stats(self, *, viewer: Viewer) -> dict[str, Any]:
        """Counts over what the viewer may see (a hidden statement is not even counted)."""
        st = schema.statements
        clause = visible(viewer)
        where = [clause] if clause is not None else []
        with self.engine.connect() as conn:
            n_statements, n_entities, n_reports = conn.execute(
                select(
                    func.count(),
                    func.count(st.c.entity_id.distinct()),
                    func.count(st.c.report_key.distinct()),
                ).where(*where)
            ).one()
            by_agency: dict[str, dict[str, int]] = {}
            for r in conn.execute(
                select(
                    st.c.agency, func.count().label("n"), func.count(st.c.report_key.distinct()).label("r")
                )
                .where(*where)
                .group_by(st.c.agency)
            ):
                by_agency[r.agency] = {"reports": r.r, "statements": r.n}
            by_schema = {
                r.schema: r.n
                for r in conn.execute(
                    select(st.c.schema, func.count(st.c.entity_id.distinct()).label("n"))
                    .where(*where)
                    .group_by(st.c.schema)
                )
            }
        return {
            "statements": n_statements,
            "entities": n_entities,
            "reports": n_reports,
            "by_agency": dict(sorted(by_agency.items())),
            "entities_by_schema": dict(sorted(by_schema.items())),
            "schema_version": self.version,
            "backend": self.dialect,
        }

    def report_row(self, agency: str, report_id: str, *, viewer: Viewer) -> dict[str, Any]:
        """A report's header, if the viewer may see at least one of its statements."""
        rp, st = schema.reports, schema.statements
        key = f"{agency}:{report_id}"
        with self.engine.connect() as conn:
            seen = conn.execute(
                restrict(select(st.c.id).where(st.c.report_key == key).limit(1), viewer)
            ).first()
            row = conn.execute(select(rp).where(rp.c.report_key == key)).first() if seen else None
        if row is None:
            raise NotFound(f"no report {report_id!r} from {agency}", agency=agency, report_id=report_id)
        return dict(row._mapping)

    def visible_reports(self, keys: Iterable[str], *, viewer: Viewer) -> set[str]:
        """Those of these reports (``agency:report_id``) of which the viewer may see a statement."""
        return self._visible_values(schema.statements.c.report_key, keys, viewer)

    def name_index(self, *, viewer: Viewer) -> Iterator[NameEntry]:
        """Every visible name of a person or organisation, with what deciding its visibility needs."""
        st = schema.statements
        protected = set(self._protected_ids())
        q = select(
            st.c.entity_id,
            st.c.value,
            st.c.agency,
            st.c.class_level,
            st.c.handling_scheme,
            st.c.handling_code,
        ).where(
            st.c.prop_type == "name", st.c.schema.in_(["Person", "Organization", "Company", "LegalEntity"])
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=5000).execute(restrict(q, viewer))
            for r in result:
                yield NameEntry(
                    r.entity_id,
                    r.value,
                    Meta(
                        r.agency, r.class_level, r.handling_scheme, r.handling_code, r.entity_id in protected
                    ),
                )

    def visible_entities(self, entity_ids: Iterable[str], *, viewer: Viewer) -> set[str]:
        """Those of ``entity_ids`` with at least one statement the viewer may see."""
        return self._visible_values(schema.statements.c.entity_id, entity_ids, viewer)

    def _visible_values(self, column: Any, values: Iterable[str], viewer: Viewer) -> set[str]:
        """Those of ``values`` of a statements ``column`` found on a statement the viewer may see."""
        wanted = sorted(set(values))
        out: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                q = select(column).where(column.in_(wanted[start : start + 500])).distinct()
                out.update(str(v) for v in conn.execute(restrict(q, viewer)).scalars())
        return out

    def reports_held(self) -> tuple[int, str | None]:
        """(reports held, latest ingest): what a view cached per store content is keyed on.
        Two indexed lookups, not one scan: it is read on every graph, map and case request."""
        rp = schema.reports
        q = select(
            select(func.count()).select_from(rp).scalar_subquery(),
            select(func.max(rp.c.ingested_at)).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            count, latest = conn.execute(q).one()
        return int(count), latest

    def sharing(self) -> Sharing:
        """Agreements in force; an open store when no agency is registered (model.visibility).

        Read on every request, so it is kept and read again only when its fingerprint changes:
        agencies are only added, agreements only added or revoked (never edited or deleted), so
        (agencies, largest agreement id, agreements in force) changes with any change, made by
        this process or another, and one small query tells."""
        ag = schema_policy.agreements
        with self.engine.connect() as conn:
            key = tuple(int(v) for v in conn.execute(_SHARING_FINGERPRINT).one())
            cached = self._sharing
            if cached is not None and cached[0] == key:
                return cached[1]
            rows = conn.execute(select(ag).where(ag.c.revoked_at.is_(None)).order_by(ag.c.id)).all()
        found = Sharing(
            open=key[0] == 0,
            agreements=tuple(
                Agreement(
                    r.owner,
                    r.recipient,
                    Classification(r.max_classification),
                    bool(r.accepts_conditions),
                    bool(r.include_protected),
                )
                for r in rows
            ),
        )
        self._sharing = (key, found)
        return found

    def sanitised_reports(self, report_keys: Iterable[str]) -> set[str]:
        """Those of these reports (``agency:report_id``) that their agency sent sanitised."""
        keys = sorted(set(report_keys))
        found: set[str] = set()
        r = schema.reports
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                q = select(r.c.report_key).where(r.c.report_key.in_(chunk), r.c.sanitised.is_(True))
                found.update(conn.execute(q).scalars())
        return found

    def protected_ids(self) -> set[str]:
        """Entities flagged victim, witness or minor by any agency (never targets, shown only if needed)."""
        return set(self._protected_ids())

    def _protected_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [
                str(e) for e in conn.execute(select(schema_policy.protected_entities.c.entity_id)).scalars()
            ]


_FTS = table("statement_fts", column("rowid"), column("rank"), column("statement_fts"))


def open_store(url: str, selector_key: bytes | None = None) -> SqlStore:
    return SqlStore(url, selector_key=selector_key)


def _collection(actor: str, records: Sequence[ReportRecord]) -> audit_chain.Entry:
    """The processing-log record of one actor's reports written in one transaction."""
    agencies = {r.report["agency"] for r in records}
    return audit_chain.Entry(
        actor=actor,
        action="collection",
        object_type="reports",
        object_id=records[0].key if len(records) == 1 else f"{len(records)} reports",
        agency=next(iter(agencies)) if len(agencies) == 1 else None,
        details={
            "reports": {r.key: r.report["sha256"] for r in records},
            "statements": sum(len(r.statements) for r in records),
        },
    )
