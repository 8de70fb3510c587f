"""Prepared reads: the same rows as SQLAlchemy's own execution, for every size of IN list."""

import pytest
from sqlalchemy import Integer, bindparam, select, text

from counterflow.model.handling import Classification
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore, schema
from counterflow.store.migrations import MIGRATIONS
from counterflow.store.prepared import Prepared
from counterflow.store.visibility import restrict

from reports import report

ST = schema.statements


def _phones(store: SqlStore, n: int) -> list[str]:
    """``n`` people with a phone each, in one report; their phones."""
    from counterflow.ingest.pipeline import Ingestor

    phones = [f"+3816400{i:05d}" for i in range(n)]
    people = [
        {"id": f"p{i}", "schema": "Person", "properties": {"name": f"Person {i}", "phone": phone}}
        for i, phone in enumerate(phones)
    ]
    Ingestor(store).ingest_report(report(entities=people))
    return phones


def _by_sqlalchemy(store: SqlStore, query, values: list[str], **params) -> set[tuple]:
    with store.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(query, {"values": values, **params})}


def test_every_size_of_in_list_reads_what_sqlalchemy_reads(store: SqlStore):
    phones = _phones(store, 40)
    query = select(ST.c.entity_id, ST.c.value).where(
        ST.c.prop_type == "phone", ST.c.value.in_(bindparam("values", expanding=True))
    )
    prepared = Prepared(query)
    with store.engine.connect() as conn:
        for n in (1, 2, 3, 5, 8, 13, 31, 40):
            wanted = [*phones[:n], "+381000000000"]  # one value that matches nothing
            got = {tuple(r) for r in prepared.rows(conn, wanted)}
            assert got == _by_sqlalchemy(store, query, wanted)
            assert len(got) == n
        assert prepared.rows(conn, []) == []


def test_scalar_parameters_and_the_viewers_condition_are_kept(store: SqlStore):
    phones = _phones(store, 12)
    # A viewer of another agency with no agreement sees none of rs_mup's statements.
    outsider = Viewer("x.analyst", "hr_mup", Classification.SECRET)
    query = (
        select(ST.c.entity_id)
        .where(ST.c.prop_type == "phone", ST.c.value.in_(bindparam("values", expanding=True)))
        .order_by(ST.c.entity_id)
        .limit(bindparam("limit", type_=Integer))
    )
    own = Prepared(restrict(query, Viewer.operator()), params=("limit",))
    hidden = Prepared(restrict(query, outsider), params=("limit",))
    with store.engine.connect() as conn:
        assert [r[0] for r in own.rows(conn, phones, limit=5)] == [f"rs-mup.p{i}" for i in (0, 1, 10, 11, 2)]
        assert len(own.rows(conn, phones, limit=100)) == 12
        assert hidden.rows(conn, phones, limit=100) == []
        with pytest.raises(TypeError, match="limit"):
            own.rows(conn, phones)


def test_a_store_with_the_old_value_index_gets_the_holders_index(store_url: str):
    store = SqlStore(store_url)
    with store.engine.begin() as conn:  # as a store made before migration 11 had it
        conn.execute(text("DROP INDEX ix_statements_holders"))
        conn.execute(
            text(
                "CREATE INDEX ix_statements_value ON statements (prop_type, value) WHERE prop_type != 'text'"
            )
        )
        conn.execute(schema.migrations.delete().where(schema.migrations.c.version == 11))
    store.close()
    store = SqlStore(store_url)
    assert store.version == MIGRATIONS[-1][0] >= 11
    from sqlalchemy import inspect

    names = {ix["name"] for ix in inspect(store.engine).get_indexes("statements")}
    assert "ix_statements_holders" in names and "ix_statements_value" not in names
    phones = _phones(store, 3)
    assert store.entities_with_values("phone", phones, viewer=Viewer.operator()) == {
        f"rs-mup.p{i}": "Person" for i in range(3)
    }
    store.close()


def test_who_holds_a_value_is_read_from_the_index_alone_on_sqlite(tmp_path):
    """The link chart's hop read visits no table row (the reason for migration 11)."""
    store = SqlStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    _phones(store, 3)
    from counterflow.store.sql import _holders_query

    viewer = Viewer("x.analyst", "rs_mup", Classification.SECRET)
    form = _holders_query(viewer, "phone")
    with store.engine.connect() as conn:
        form.rows(conn, ["+381640000001"], limit=10)  # compiles the one-value form
        one = next(iter(form._forms.values()))
        plan = " ".join(
            str(r[-1])
            for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + one.sql, one.bind(["+1"], {"limit": 9}))
        )
    assert "COVERING INDEX ix_statements_holders" in plan
    store.close()
