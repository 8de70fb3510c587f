"""Hot reads compiled once to the driver's SQL and run on the driver's cursor.

A link chart runs a dozen ``entity_id IN (…)`` reads; through SQLAlchemy each one paid for a
cache key, the expansion of the IN list and the result wrappers, together more than SQLite
spent answering (a profile of 200 charts on the medium store: ~1.7 s of SQLAlchemy around
~0.6 s of ``execute``). ``Prepared`` keeps the SQLAlchemy query (so the dialect still writes
the SQL, and the need-to-know condition is the same ``restrict``) but expands it once per
*size class* of the IN list: the list is padded to the next power of two by repeating its
last value, which leaves the result unchanged (``IN (a, b, b)`` is ``IN (a, b)``), so a few
compiled forms serve every call.

Only for queries whose parameters need no conversion by SQLAlchemy (text and integers): the
values are handed to the driver as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect

__all__ = ["Prepared"]

_VALUES = "values"


@dataclass(frozen=True)
class _Form:
    """One size class of the query: its SQL and where each parameter comes from."""

    sql: str
    positional: bool
    names: tuple[str, ...]  # in the order the driver takes them (positional) or by name
    slots: tuple[tuple[str, Any], ...]  # per name: ("values", index) | ("param", name) | ("const", value)

    def bind(self, values: Sequence[Any], params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        out = [
            values[x] if kind == _VALUES else params[x] if kind == "param" else x for kind, x in self.slots
        ]
        return tuple(out) if self.positional else dict(zip(self.names, out, strict=True))


class Prepared:
    """``query`` (a SELECT with the expanding parameter ``values`` and optionally scalar
    parameters named in ``params``) run straight on the driver; see the module docstring."""

    def __init__(self, query: Select[Any], params: Sequence[str] = ()) -> None:
        self.query = query
        self.params = tuple(params)
        self._forms: dict[tuple[str, int], _Form] = {}
        self._lock = threading.Lock()

    def rows(self, conn: Connection, values: Sequence[Any], **params: Any) -> list[Any]:
        """The driver's row tuples of the query for these ``values`` (none for none)."""
        if not values:
            return []
        if set(params) != set(self.params):
            raise TypeError(f"expected parameters {sorted(self.params)}, got {sorted(params)}")
        size = _size_class(len(values))
        form = self._forms.get((conn.dialect.name, size)) or self._compile(conn.dialect, size)
        padded = list(values)
        padded.extend([padded[-1]] * (size - len(padded)))
        cursor = conn.connection.cursor()
        try:
            cursor.execute(form.sql, form.bind(padded, params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect, size: int) -> _Form:
        compiled = self.query.compile(dialect=dialect)
        # Sentinels show which expanded parameter is which value; the rest are the query's own
        # constants (the viewer's agencies, codes, levels), fixed for this query.
        probe = {_VALUES: [_Sentinel(i) for i in range(size)], **{p: _Param(p) for p in self.params}}
        state = compiled.construct_expanded_state(probe)
        positional = bool(compiled.positional and state.positiontup)
        names = tuple(state.positiontup or ()) if positional else tuple(state.parameters)
        slots: list[tuple[str, Any]] = []
        for name in names:
            value = state.parameters[name]
            if isinstance(value, _Sentinel):
                slots.append((_VALUES, value.index))
            elif isinstance(value, _Param):
                slots.append(("param", value.name))
            else:
                slots.append(("const", value))
        form = _Form(state.statement, positional, names, tuple(slots))
        with self._lock:
            self._forms[(dialect.name, size)] = form
        return form


@dataclass(frozen=True)
class _Sentinel:
    index: int


@dataclass(frozen=True)
class _Param:
    name: str


def _size_class(n: int) -> int:
    """The smallest power of two ≥ ``n`` (1, 2, 4 … 512 for the store's 500-value reads)."""
    return 1 << (n - 1).bit_length()
