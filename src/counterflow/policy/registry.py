"""Agencies, users and sharing agreements: registering them and reading them back.

The first agency registered turns an open single-operator store into a governed one
(``model.visibility``); from then on every reader is a registered user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from counterflow.errors import ConfigurationError, NotFound
from counterflow.model.agencies import agency_country, validate_agency
from counterflow.model.handling import Classification
from counterflow.model.visibility import Agreement, Sharing, UserRole, Viewer
from counterflow.store.schema_policy import agencies, agreements, users
from counterflow.store.sql import SqlStore


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    agency: str
    roles: frozenset[str]
    clearance: Classification
    active: bool = True
    display_name: str | None = None

    def has(self, role: UserRole) -> bool:
        return role.value in self.roles


def add_agency(store: SqlStore, agency: str, name: str, *, justification_required: bool = False) -> None:
    validate_agency(agency)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(agencies).values(
                    id=agency,
                    name=name,
                    country=agency_country(agency),
                    justification_required=justification_required,
                    created_at=now(),
                )
            )
    except IntegrityError:
        raise ConfigurationError(f"agency {agency} is already registered", agency=agency) from None


def set_justification(store: SqlStore, agency: str, required: bool) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(
            update(agencies).where(agencies.c.id == agency).values(justification_required=required)
        )
    if done.rowcount == 0:
        raise NotFound(f"no agency {agency}", agency=agency)


def set_single_source_rule(store: SqlStore, agency: str, exclude: bool) -> None:
    """Whether the agency's evidential case views leave out uncorroborated material from untested sources."""
    with store.engine.begin() as conn:
        done = conn.execute(
            update(agencies).where(agencies.c.id == agency).values(exclude_single_source_untested=exclude)
        ).rowcount
    if not done:
        raise NotFound(f"unknown agency {agency!r}")


def single_source_rule(store: SqlStore, agency: str) -> bool:
    with store.engine.connect() as conn:
        value = conn.execute(
            select(agencies.c.exclude_single_source_untested).where(agencies.c.id == agency)
        ).scalar()
    return bool(value)


def list_agencies(store: SqlStore) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(agencies).order_by(agencies.c.id))]


def justification_required(store: SqlStore, agency: str) -> bool:
    with store.engine.connect() as conn:
        value = conn.execute(
            select(agencies.c.justification_required).where(agencies.c.id == agency)
        ).scalar()
    return bool(value)


def _roles(raw: list[str] | tuple[str, ...]) -> frozenset[str]:
    out = set()
    for r in raw:
        try:
            out.add(UserRole(r.strip().lower()).value)
        except ValueError:
            known = ", ".join(x.value for x in UserRole)
            raise ConfigurationError(f"unknown role {r!r} (known: {known})", role=r) from None
    if not out:
        raise ConfigurationError("a user needs at least one role")
    return frozenset(out)


def add_user(
    store: SqlStore,
    user_id: str,
    agency: str,
    *,
    roles: list[str] | tuple[str, ...] = ("analyst",),
    clearance: str = "OFFICIAL",
    display_name: str | None = None,
) -> User:
    level = Classification.parse(clearance)
    role_set = _roles(roles)
    with store.engine.begin() as conn:
        if conn.execute(select(agencies.c.id).where(agencies.c.id == agency)).first() is None:
            raise ConfigurationError(f"register agency {agency} before its users", agency=agency)
        try:
            conn.execute(
                insert(users).values(
                    id=user_id,
                    agency=agency,
                    display_name=display_name,
                    roles=",".join(sorted(role_set)),
                    clearance=level.value,
                    active=True,
                    created_at=now(),
                )
            )
        except IntegrityError:
            raise ConfigurationError(f"user {user_id} already exists", user=user_id) from None
    return User(user_id, agency, role_set, level, True, display_name)


def get_user(store: SqlStore, user_id: str) -> User:
    with store.engine.connect() as conn:
        row = conn.execute(_USER, {"id": user_id}).first()
    if row is None:
        raise NotFound(f"no user {user_id!r}", user=user_id)
    return user_of(row)


_USER = select(users).where(users.c.id == bindparam("id"))  # built once: read on every request


def user_of(row: Any) -> User:
    """A user from a row of ``users`` (or of a query with its columns)."""
    return User(
        row.id,
        row.agency,
        frozenset(row.roles.split(",")),
        Classification(row.clearance),
        bool(row.active),
        row.display_name,
    )


def set_user_active(store: SqlStore, user_id: str, active: bool) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(update(users).where(users.c.id == user_id).values(active=active))
    if done.rowcount == 0:
        raise NotFound(f"no user {user_id!r}", user=user_id)


def list_users(store: SqlStore) -> list[User]:
    with store.engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(users.c.id).order_by(users.c.id))]
    return [get_user(store, i) for i in ids]


def add_agreement(
    store: SqlStore,
    owner: str,
    recipient: str,
    *,
    max_classification: str = "OFFICIAL-SENSITIVE",
    accepts_conditions: bool = False,
    include_protected: bool = False,
    created_by: str = "operator",
) -> int:
    level = Classification.parse(max_classification)
    if owner == recipient:
        raise ConfigurationError("an agency needs no agreement with itself", agency=owner)
    with store.engine.begin() as conn:
        known = set(
            conn.execute(select(agencies.c.id).where(agencies.c.id.in_([owner, recipient]))).scalars()
        )
        missing = sorted({owner, recipient} - known)
        if missing:
            raise ConfigurationError(f"unregistered agencies: {', '.join(missing)}", agencies=missing)
        result = conn.execute(
            insert(agreements).values(
                owner=owner,
                recipient=recipient,
                max_classification=level.value,
                accepts_conditions=accepts_conditions,
                include_protected=include_protected,
                created_at=now(),
                created_by=created_by,
            )
        )
        key = result.inserted_primary_key
    return int(key[0]) if key else 0


def revoke_agreement(store: SqlStore, agreement_id: int) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(
            update(agreements)
            .where(agreements.c.id == agreement_id, agreements.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    if done.rowcount == 0:
        raise NotFound(f"no agreement {agreement_id} in force", agreement=agreement_id)


def list_agreements(store: SqlStore) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(agreements).order_by(agreements.c.id))]


def is_governed(store: SqlStore) -> bool:
    with store.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(agencies)).scalar_one())


def has_administrator(store: SqlStore) -> bool:
    """Whether any active user may administer; before that, the store is being set up."""
    return any(u.active and u.has(UserRole.ADMINISTRATOR) for u in list_users(store))


def viewer_for(store: SqlStore, user_id: str | None) -> Viewer:
    """The viewer a request runs as: the named active user, or the operator of an open store."""
    sharing = store.sharing()
    if user_id is None:
        if sharing.open:
            return Viewer.operator()
        raise ConfigurationError(
            "this store has registered agencies: say who you are (COUNTERFLOW_USER or --as USER)"
        )
    return viewer_of(get_user(store, user_id), sharing)


def viewer_of(user: User, sharing: Sharing) -> Viewer:
    """The viewer an active user is under these agreements."""
    if not user.active:
        raise ConfigurationError(f"user {user.id} is disabled", user=user.id)
    return Viewer(
        user.id,
        user.agency,
        user.clearance,
        user.roles,
        tuple(a for a in sharing.agreements if a.recipient == user.agency),
    )


__all__ = [
    "Agreement",
    "User",
    "add_agency",
    "add_agreement",
    "add_user",
    "get_user",
    "is_governed",
    "justification_required",
    "list_agencies",
    "list_agreements",
    "list_users",
    "revoke_agreement",
    "set_justification",
    "set_single_source_rule",
    "set_user_active",
    "single_source_rule",
    "viewer_for",
]
