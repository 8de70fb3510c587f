"""A case's material as one reader may see it: the targets, their surroundings, the linked items.

The material of a case is every statement the reader may see about its targets and what is
within ``hops`` ties of them (read through the store's value index, ``graph.neighbourhood``),
plus every statement linked to the case by hand. Entity resolution folds cluster members
together. The same material is then divided by the evidential rules (``cases.evidential``)
of the case's owning agency: the intelligence view is all of it, the evidential view what
may go to court.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from counterflow.cases.evidential import EvidentialSplit, split
from counterflow.cases.files import Case, get_case
from counterflow.graph.neighbourhood import neighbourhood
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import ROLE_PROP, Statement
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.store.sql import SqlStore


@dataclass
class CaseMaterial:
    case: Case
    viewer: Viewer
    statements: list[Statement]  # the intelligence view: everything visible
    split: EvidentialSplit
    targets: list[str]  # the targets' resolved ids the viewer may see
    canonical: Callable[[str], str]
    truncated: bool
    single_source_rule: bool
    # Names and roles of entities the material refers to but does not include (for labels only).
    referenced: list[Statement] = field(default_factory=list)
    # Resolved ids of victims, witnesses and minors, whichever record of the person carries the flag.
    protected: set[str] = field(default_factory=set)
    _labels: tuple[dict[str, str], set[str]] | None = field(default=None, init=False, repr=False)

    @property
    def evidential(self) -> list[Statement]:
        return self.split.evidential

    @property
    def unused(self) -> list[Statement]:
        return [s for s in self.statements if s.id in self.split.excluded]

    def labels(self) -> tuple[dict[str, str], set[str]]:
        if self._labels is None:
            self._labels = self._make_labels()
        return self._labels

    def _make_labels(self) -> tuple[dict[str, str], set[str]]:
        """(resolved id -> a readable label: name or registration, resolved ids of protected persons)."""
        names: dict[str, str] = {}
        parts: dict[str, dict[str, str]] = {}
        protected: set[str] = set(self.protected)
        for s in [*self.statements, *self.referenced]:
            eid = self.canonical(s.entity_id)
            if s.prop in ("name", "registrationNumber") and eid not in names:
                names[eid] = s.value
            elif s.prop in ("firstName", "lastName"):
                parts.setdefault(eid, {}).setdefault(s.prop, s.value)
            if s.prop == ROLE_PROP and s.value in PROTECTED_ROLES:
                protected.add(eid)
        for eid, p in parts.items():
            if eid not in names:
                names[eid] = " ".join(p[k] for k in ("firstName", "lastName") if k in p)
        return names, protected


def gather(
    store: SqlStore,
    viewer: Viewer,
    case_id: str,
    *,
    hops: int = 1,
    max_entities: int = 400,
) -> CaseMaterial:
    """The case's material for ``viewer`` (NotFound if they may not read the case)."""
    from counterflow.resolve import service

    case = get_case(store, viewer, case_id)
    state = service.state(store)
    canonical = service.canonical_for(store, viewer)  # cluster ids this reader may be shown
    clusters = sorted({state.cluster_of(t) for t in case.targets})
    visible_targets = store.visible_entities(
        [m for t in clusters for m in state.members_of(t)], viewer=viewer
    )
    targets = sorted({canonical(t) for t in visible_targets})
    entity_ids: set[str] = set()
    truncated = False
    if targets:
        hood = neighbourhood(
            store,
            sorted({state.cluster_of(t) for t in visible_targets}),
            viewer=viewer,
            hops=hops,
            max_entities=max_entities,
            members=state.members_of,
            canonical=canonical,
        )
        truncated = hood.truncated
        entity_ids = {s.entity_id for s in hood.statements}
    by_id: dict[str, Statement] = {}
    if entity_ids:
        for s in store.statements_for_entities(sorted(entity_ids), viewer=viewer):
            by_id[s.id] = s
    for s in store.statements_by_ids(sorted(case.statements), viewer=viewer):
        by_id.setdefault(s.id, s)
    statements = sorted(by_id.values(), key=lambda s: (s.entity_id, s.prop, s.reported_at, s.id))
    held = {s.entity_id for s in statements}
    refs = sorted({s.value for s in statements if s.prop_type == "entity"} - held)
    referenced = (
        store.statements_for_entities(
            refs, viewer=viewer, prop_types=("name",), props=(ROLE_PROP, "firstName", "lastName")
        )
        if refs
        else []
    )
    rule = registry.single_source_rule(store, case.agency)
    sanitised = store.sanitised_reports(s.report_key for s in statements)
    divided = split(statements, sanitised_reports=sanitised, single_source_rule=rule, canonical=canonical)
    protected = {canonical(e) for e in store.protected_ids()}
    return CaseMaterial(
        case, viewer, statements, divided, targets, canonical, truncated, rule, referenced, protected
    )
