"""Service authentication: Counterflow API tokens, and OIDC/JWT bearer tokens from an identity provider.

**API tokens** look like ``cf_<id>_<secret>``. The id is public (it names the row in
``api_tokens``); only the argon2id hash of the secret is stored, so a copy of the
database does not yield usable tokens. A token is shown once, when issued. Verification
runs argon2 whether or not the id exists, and every failure (unknown, wrong secret,
revoked, expired, user disabled) gives the same ``AccessDenied`` message, so a caller
cannot tell which.

**Bearer JWTs** (deployments with an identity provider) are checked against the
issuer's public keys, read from a JWKS file the deployment keeps current (there is no
network access at run time; the file is re-read when it changes). The signature
algorithm must be one the key itself is for (RS256, ES256 or EdDSA; never ``none``,
never HMAC), and ``iss``, ``aud``, ``exp`` (required) and ``nbf`` are checked with a
small leeway. A configured claim (``preferred_username``, falling back to ``sub``) names
a registered, active Counterflow user, who becomes the request's viewer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from jwt import PyJWK, PyJWKSet
from sqlalchemy import bindparam, insert, select, update

from counterflow.errors import AccessDenied, ConfigurationError, CounterflowError, NotFound, Unauthenticated
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.store.schema_policy import api_tokens, users
from counterflow.store.sql import SqlStore

log = logging.getLogger(__name__)

TOKEN_PREFIX = "cf"
DENIED = "invalid, expired or revoked credentials"
ALGORITHMS = ("RS256", "ES256", "EdDSA")
_HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the id is unknown. Made on first use: an argon2 hash takes 64 MiB and
    a sixth of a second, which every process importing this module (the command line) paid."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known about an issued token (never its secret)."""

    token_id: str
    user_id: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


def parse_token(token: str) -> tuple[str, str]:
    """(id, secret) of a ``cf_<id>_<secret>`` token; AccessDenied if it is not one."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated(DENIED)
    return parts[1], parts[2]


def issue_token(store: SqlStore, user_id: str, *, days: int | None = None) -> str:
    """A new token for an active user, valid ``days`` days (None: until revoked). Shown only now."""
    user = registry.get_user(store, user_id)
    if not user.active:
        raise ConfigurationError(f"user {user_id} is disabled", user=user_id)
    if days is not None and days < 1:
        raise ConfigurationError("a token must be valid for at least one day", days=days)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    now = _now()
    with store.engine.begin() as conn:
        conn.execute(
            insert(api_tokens).values(
                token_id=token_id,
                user_id=user_id,
                hash=_HASHER.hash(secret),
                created_at=_iso(now),
                expires_at=_iso(now + timedelta(days=days)) if days is not None else None,
                revoked_at=None,
            )
        )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


class VerifiedSecrets:
    """Tokens whose argon2 check already passed, so a service does not pay it on every request.

    argon2 is slow on purpose (tens of milliseconds); a busy workspace sends a request per
    click. Only a SHA-256 digest of a verified secret is kept, with the stored hash it was
    checked against: a re-hashed or replaced token row misses the cache. Revocation, expiry
    and a disabled user are still read from the store on every request, so they act at once.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._seen: dict[str, tuple[str, str]] = {}  # token id -> (stored hash, sha256 of secret)
        self._guard = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    def flight(self, token_id: str) -> threading.Lock:
        """One lock per token id, so concurrent first requests with the same token run argon2 once.

        Without it a service that starts under load verifies every waiting request at once:
        each verification takes ~100 ms of CPU, more requests arrive meanwhile, none finds
        the cache filled, and the queue never drains."""
        with self._guard:
            lock = self._flights.get(token_id)
            if lock is None:
                if len(self._flights) >= self.size:
                    self._flights.pop(next(iter(self._flights)))
                lock = self._flights[token_id] = threading.Lock()
            return lock

    def known(self, token_id: str, stored_hash: str, secret: str) -> bool:
        return self._seen.get(token_id) == (stored_hash, _digest(secret))

    def remember(self, token_id: str, stored_hash: str, secret: str) -> None:
        if len(self._seen) >= self.size:
            self._seen.pop(next(iter(self._seen)))
        self._seen[token_id] = (stored_hash, _digest(secret))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class NeedsThread(Exception):
    """A quick check (``quick=True``) met work that must not run on an event loop: argon2 (a
    token not verified yet, a wrong secret, an unknown token) or a write (a re-hash)."""


def authenticate_token(
    store: SqlStore, token: str, cache: VerifiedSecrets | None = None, *, quick: bool = False
) -> Viewer:
    """The viewer a token stands for; AccessDenied (one message for every reason) otherwise.

    ``quick``: raise ``NeedsThread`` instead of paying argon2 or writing, so a caller on an
    event loop can try the common case (a token already verified) without a thread hop."""
    try:
        token_id, secret = parse_token(token)
    except AccessDenied:
        if quick:
            raise NeedsThread from None
        _burn()
        raise
    with store.engine.connect() as conn:
        row = conn.execute(_TOKEN_AND_USER, {"token_id": token_id}).first()
    if row is None:
        if quick:
            raise NeedsThread
        _burn()
        raise Unauthenticated(DENIED)
    if cache is None:
        if quick:
            raise NeedsThread
        _verify(row.hash, secret)
    elif not cache.known(token_id, row.hash, secret):
        if quick:
            raise NeedsThread
        with cache.flight(token_id):
            if not cache.known(token_id, row.hash, secret):  # another request may have just verified it
                _verify(row.hash, secret)
                cache.remember(token_id, row.hash, secret)
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= _iso(_now())):
        raise Unauthenticated(DENIED)
    if _HASHER.check_needs_rehash(row.hash):
        if quick:
            raise NeedsThread
        with store.engine.begin() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.token_id == token_id).values(hash=_HASHER.hash(secret))
            )
    if row.id is None:  # the token's user is gone
        raise Unauthenticated(DENIED)
    try:
        return registry.viewer_of(registry.user_of(row), store.sharing())
    except ConfigurationError:  # disabled: say nothing more than for any other failure
        raise Unauthenticated(DENIED) from None


# The token with its user, in one query (built once: it runs on every request).
_TOKEN_AND_USER = (
    select(
        api_tokens.c.token_id,
        api_tokens.c.hash,
        api_tokens.c.expires_at,
        api_tokens.c.revoked_at,
        users.c.id,
        users.c.agency,
        users.c.display_name,
        users.c.roles,
        users.c.clearance,
        users.c.active,
    )
    .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
    .where(api_tokens.c.token_id == bindparam("token_id"))
)


def _verify(stored_hash: str, secret: str) -> None:
    try:
        _HASHER.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise Unauthenticated(DENIED) from None


def _burn() -> None:
    """Spend the time a real verification takes, so an unknown id is not faster to reject."""
    with contextlib.suppress(VerificationError):
        _HASHER.verify(_dummy_hash(), "not the secret")


def _viewer(store: SqlStore, user_id: str) -> Viewer:
    try:
        return registry.viewer_for(store, user_id)
    except (NotFound, ConfigurationError):  # unknown or disabled user: say neither
        raise Unauthenticated(DENIED) from None


def revoke_token(store: SqlStore, token_or_id: str) -> None:
    """Revoke a token, given its id or the whole token; NotFound if no such token is in force."""
    token_id = parse_token(token_or_id)[0] if token_or_id.startswith(f"{TOKEN_PREFIX}_") else token_or_id
    with store.engine.begin() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=_iso(_now()))
        )
    if done.rowcount == 0:
        raise NotFound(f"no token {token_id!r} in force", token=token_id)


def list_tokens(store: SqlStore, user_id: str | None = None) -> list[TokenInfo]:
    q = select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.token_id)
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    with store.engine.connect() as conn:
        return [
            TokenInfo(r.token_id, r.user_id, r.created_at, r.expires_at, r.revoked_at)
            for r in conn.execute(q)
        ]


class JwtValidator:
    """Validates bearer JWTs from one issuer for one audience against the issuer's JWKS."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks: Mapping[str, Any],
        *,
        user_claim: str = "preferred_username",
        leeway: int = 30,
        algorithms: tuple[str, ...] = ALGORITHMS,
    ) -> None:
        unknown = sorted(set(algorithms) - set(ALGORITHMS))
        if unknown:
            raise ConfigurationError(f"unsupported JWT algorithms: {', '.join(unknown)}", algorithms=unknown)
        self.issuer, self.audience = issuer, audience
        self.user_claim, self.leeway, self.algorithms = user_claim, leeway, algorithms
        self._path: Path | None = None
        self._mtime: float | None = None
        self._keys = self._load(jwks)

    @classmethod
    def from_file(cls, path: Path | str, issuer: str, audience: str, **options: Any) -> JwtValidator:
        """A validator on a JWKS JSON file, re-read whenever the file changes."""
        path = Path(path)
        validator = cls(issuer, audience, _read_jwks(path), **options)
        validator._path, validator._mtime = path, path.stat().st_mtime
        return validator

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> JwtValidator | None:
        """From COUNTERFLOW_OIDC_ISSUER, _AUDIENCE, _JWKS_FILE (and _USER_CLAIM); None if unset."""
        env = os.environ if env is None else env
        issuer, audience = env.get("COUNTERFLOW_OIDC_ISSUER"), env.get("COUNTERFLOW_OIDC_AUDIENCE")
        path = env.get("COUNTERFLOW_OIDC_JWKS_FILE")
        if not (issuer or audience or path):
            return None
        if not (issuer and audience and path):
            raise ConfigurationError(
                "OIDC needs COUNTERFLOW_OIDC_ISSUER, COUNTERFLOW_OIDC_AUDIENCE and COUNTERFLOW_OIDC_JWKS_FILE"
            )
        claim = env.get("COUNTERFLOW_OIDC_USER_CLAIM") or "preferred_username"
        return cls.from_file(path, issuer, audience, user_claim=claim)

    def _load(self, jwks: Mapping[str, Any]) -> dict[str, PyJWK]:
        try:
            keyset = PyJWKSet.from_dict(dict(jwks))
        except (jwt.PyJWKSetError, jwt.PyJWKError, ValueError, TypeError) as exc:
            raise ConfigurationError(f"unusable JWKS: {exc}") from None
        keys: dict[str, PyJWK] = {}
        for i, key in enumerate(keyset.keys):
            if key.public_key_use not in (None, "sig") or key.algorithm_name not in self.algorithms:
                continue
            keys[key.key_id or f"#{i}"] = key
        if not keys:
            raise ConfigurationError("the JWKS holds no signing key for RS256, ES256 or EdDSA")
        return keys

    def _refresh(self) -> None:
        if self._path is None:
            return
        try:
            mtime = self._path.stat().st_mtime
            if mtime != self._mtime:
                self._keys, self._mtime = self._load(_read_jwks(self._path)), mtime
        except (OSError, ConfigurationError) as exc:  # keep the keys we have
            log.warning("cannot reload JWKS %s: %s", self._path, exc)

    def _key_for(self, header: Mapping[str, Any]) -> PyJWK:
        kid = header.get("kid")
        if isinstance(kid, str) and kid in self._keys:
            key = self._keys[kid]
        elif kid is None and len(self._keys) == 1:
            key = next(iter(self._keys.values()))
        else:
            raise Unauthenticated(DENIED)
        if header.get("alg") != key.algorithm_name:  # the key decides the algorithm, not the token
            raise Unauthenticated(DENIED)
        return key

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``; AccessDenied if anything is wrong with it."""
        self._refresh()
        try:
            header = jwt.get_unverified_header(token)
            key = self._key_for(header)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError as exc:
            log.info("bearer token rejected: %s", exc)
            raise Unauthenticated(DENIED) from None
        return claims

    def validate(self, store: SqlStore, token: str) -> Viewer:
        """The viewer a bearer token stands for: its user claim must name an active registered user."""
        claims = self.claims(token)
        user = claims.get(self.user_claim) or claims.get("sub")
        if not isinstance(user, str) or not user:
            raise Unauthenticated(DENIED)
        return _viewer(store, user)


def _read_jwks(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the JWKS file {path}: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} is not a JWKS (a JSON object with 'keys')", path=str(path))
    return data


def authenticate(
    store: SqlStore,
    credential: str,
    validator: JwtValidator | None = None,
    cache: VerifiedSecrets | None = None,
) -> Viewer:
    """A bearer credential of either kind: a ``cf_`` API token, else a JWT (if a validator is configured)."""
    if credential.startswith(f"{TOKEN_PREFIX}_") or validator is None:
        return authenticate_token(store, credential, cache)
    try:
        return validator.validate(store, credential)
    except CounterflowError:
        raise Unauthenticated(DENIED) from None


__all__ = [
    "DENIED",
    "JwtValidator",
    "NeedsThread",
    "TokenInfo",
    "VerifiedSecrets",
    "authenticate",
    "authenticate_token",
    "issue_token",
    "list_tokens",
    "parse_token",
    "revoke_token",
]
