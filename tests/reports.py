"""Report builders for tests (a plain module, imported by tests as ``from reports import …``)."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "format": "counterflow.report/1",
    "agency": "rs_mup",
    "report_id": "RS-2026-0001",
    "reported_at": "14.03.2026.",
    "observed_at": "2026-03-12",
    "language": "sr",
    "grading": {"scheme": "3x5x2", "source": "1", "information": "B"},
    "handling": {"scheme": "3x5x2", "code": "C", "conditions": "EU law enforcement only"},
    "classification": "OFFICIAL-SENSITIVE",
    "entities": [
        {
            "id": "p17",
            "schema": "Person",
            "roles": ["driver"],
            "properties": {
                "name": ["Мухамед Алхасан"],
                "birthDate": "12.04.1989.",
                "phone": ["064 123 4567"],
                "nationality": "sy",
            },
        },
        {"id": "v3", "schema": "Vehicle", "properties": {"registrationNumber": "BG 123-AB", "country": "rs"}},
        {
            "id": "t1",
            "schema": "Trip",
            "properties": {"vehicle": "v3", "involved": "p17", "startDate": "2026-03-12T03:40"},
        },
    ],
}


def report(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data
