"""Reading alerts: each user sees their agency's alerts, with only the evidence they may see.

An alert is derived from statements; a user is shown the evidence statements they may see, and
its title and subject only if they may see all of them (the title is written from the evidence).
When they may see none (a watched phone turned up in another agency's restricted report),
the alert is reduced to a hit/no-hit notice: whom to contact and under which handling
codes, never the content.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from counterflow.model.handling import most_restrictive
from counterflow.model.visibility import Viewer
from counterflow.store.schema_alerts import alerts
from counterflow.store.sql import SqlStore

__all__ = ["alert_feed"]


def alert_feed(store: SqlStore, viewer: Viewer, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """The viewer's agency's alerts with id > ``after``, newest last."""
    q = select(alerts).where(alerts.c.id > after).order_by(alerts.c.id).limit(limit)
    if not viewer.open:
        q = q.where(alerts.c.agency == viewer.agency)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    out = []
    for r in rows:
        ids = json.loads(r["statements"])
        seen = store.statements_by_ids(ids, viewer=viewer)
        # The title names what the evidence says: shown only to a reader who may see all of it.
        whole = len({x.id for x in seen}) == len(set(ids))
        owner = str(r["report_key"]).partition(":")[0]
        if seen:
            out.append(
                {
                    "id": r["id"],
                    "rule": r["rule"],
                    "title": r["title"]
                    if whole
                    else f"{r['rule']}: part of the material is not yours to see; contact {owner}",
                    "subject": r["subject"] if whole else None,
                    "place": r["place"],
                    "at": r["at"],
                    "created_at": r["created_at"],
                    "report": r["report_key"],
                    "evidence": [
                        {
                            "statement": s.id,
                            "entity_id": s.entity_id,
                            "prop": s.prop,
                            "value": s.value,
                            "agency": s.agency,
                            "report_id": s.report_id,
                            "grading": s.grading.to_dict(),
                            "handling": s.handling.to_dict(),
                        }
                        for s in seen
                    ],
                    "handling": [h.to_dict() for h in most_restrictive([s.handling for s in seen])],
                }
            )
        else:
            codes = sorted({c for c in store.handling_of(ids)})
            out.append(
                {
                    "id": r["id"],
                    "rule": r["rule"],
                    "title": f"a watch of yours matched material you may not see: contact {owner}",
                    "subject": None,
                    "place": None,
                    "at": None,
                    "created_at": r["created_at"],
                    "report": None,
                    "contact": owner,
                    "handling_codes": codes,
                    "evidence": [],
                }
            )
    return out
