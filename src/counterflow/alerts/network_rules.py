"""A new tie that joins two communities of the network (``community`` watches).

The communities come from the snapshot of :mod:`counterflow.alerts.network_snapshot`. A report
tie between persons of two communities that no tie joined in the snapshot (other than this
report's) raises ``community-bridge``, once per pair: such a tie is how one network borrows
another's drivers, boats or money (DOMAIN.md §3). Victims, witnesses and minors are never
part of one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from counterflow.alerts.drafts import Draft
from counterflow.alerts.network_snapshot import Communities, communities, refresh_in_background
from counterflow.alerts.ties import by_entity, name_statements, names_of, report_ties
from counterflow.alerts.watchlist import Watch
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import ROLE_PROP, Statement

__all__ = ["Communities", "communities", "community_drafts", "refresh_in_background"]


def community_drafts(
    statements: Sequence[Statement], watches: Sequence[Watch], snap: Communities
) -> list[Draft]:
    entities = by_entity(statements)
    names = names_of(entities)
    protected = set(snap.protected) | {
        snap.canonical(s.entity_id) for s in statements if s.prop == ROLE_PROP and s.value in PROTECTED_ROLES
    }
    per_report: dict[str, set[str]] = {}
    for s in statements:
        per_report.setdefault(s.report_key, set()).add(s.id)
    out: list[Draft] = []
    for link, ends, stmts in report_ties(entities):
        for a, b in itertools.combinations(ends, 2):
            ca, cb = snap.canonical(a), snap.canonical(b)
            if ca in protected or cb in protected:
                continue
            ga, gb = snap.membership.get(ca), snap.membership.get(cb)
            if ga is None or gb is None or ga == gb:
                continue
            # New: the two communities were not joined in the snapshot, or only by this very
            # report (when the snapshot was taken after it arrived, as in a batch run).
            own = per_report[stmts[0].report_key]
            if snap.joined.get(frozenset((ga, gb)), set()) - own:
                continue
            first, second = sorted((ca, cb))
            label = {ca: names.get(a, a), cb: names.get(b, b)}
            for w in watches:
                out.append(
                    Draft(
                        w,
                        "community-bridge",
                        f"new tie joins two communities: {label[first]} (community of "
                        f"{snap.sizes[snap.membership[first]]}) and {label[second]} (community of "
                        f"{snap.sizes[snap.membership[second]]}), {entities[link][0].schema.lower()}",
                        first,
                        None,
                        stmts[0].observed_at or stmts[0].reported_at,
                        (*(s.id for s in stmts), *name_statements(entities, a, b)),
                        stmts[0].report_key,
                        second,
                    )
                )
    return out
