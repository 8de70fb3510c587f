"""Service authentication: hashed API tokens and OIDC/JWT bearer validation."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from sqlalchemy import select

from counterflow.errors import AccessDenied, ConfigurationError, NotFound
from counterflow.policy import registry
from counterflow.policy.auth import (
    DENIED,
    JwtValidator,
    VerifiedSecrets,
    authenticate,
    authenticate_token,
    issue_token,
    list_tokens,
    revoke_token,
)
from counterflow.store import SqlStore
from counterflow.store.schema_policy import api_tokens

ISSUER = "https://idp.example.police.uk/realms/counterflow"
AUDIENCE = "counterflow-api"


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'a.sqlite'}", selector_key=b"k" * 32)
    registry.add_agency(store, "gb_ukbsu", "UK BSU")
    registry.add_user(store, "ana", "gb_ukbsu", roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    registry.add_user(store, "bob", "gb_ukbsu", roles=["supervisor"])
    yield store
    store.close()


# -- API tokens ------------------------------------------------------------------------


def test_token_authenticates_and_only_a_hash_is_stored(governed):
    token = issue_token(governed, "ana")
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "cf" and len(secret) >= 40
    viewer = authenticate_token(governed, token)
    assert (viewer.user, viewer.agency, viewer.clearance.value) == ("ana", "gb_ukbsu", "OFFICIAL-SENSITIVE")
    with governed.engine.connect() as conn:
        row = conn.execute(select(api_tokens)).one()
    assert row.token_id == token_id and row.hash.startswith("$argon2id$")
    assert secret not in row.hash and secret not in json.dumps([str(v) for v in row])
    assert [t.token_id for t in list_tokens(governed, "ana")] == [token_id]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: "cf_0000000000000000_" + t.split("_", 2)[2],  # unknown id
        lambda t: "garbage",
        lambda t: "cf__",
    ],
)
def test_bad_tokens_are_refused_with_one_message(governed, mangle):
    token = issue_token(governed, "ana")
    with pytest.raises(AccessDenied) as info:
        authenticate_token(governed, mangle(token))
    assert info.value.message == DENIED


def test_revoked_expired_and_disabled_are_refused_alike(governed):
    revoked = issue_token(governed, "ana")
    revoke_token(governed, revoked.split("_")[1])
    expired = issue_token(governed, "ana", days=1)
    with governed.engine.begin() as conn:
        conn.execute(
            api_tokens.update()
            .where(api_tokens.c.token_id == expired.split("_")[1])
            .values(expires_at="2000-01-01T00:00:00+00:00")
        )
    disabled = issue_token(governed, "bob")
    registry.set_user_active(governed, "bob", False)
    messages = set()
    for token in (revoked, expired, disabled):
        with pytest.raises(AccessDenied) as info:
            authenticate_token(governed, token)
        messages.add(info.value.message)
    assert messages == {DENIED}
    with pytest.raises(NotFound):
        revoke_token(governed, revoked)  # already revoked (whole token accepted too)
    with pytest.raises(ConfigurationError, match="disabled"):
        issue_token(governed, "bob")
    with pytest.raises(NotFound):
        issue_token(governed, "nobody")


# -- JWT bearer tokens -------------------------------------------------------------------


def _jwk(public_key, algorithm, kid):
    data = json.loads(algorithm.to_jwk(public_key))
    return {**data, "kid": kid, "use": "sig"}


@pytest.fixture(scope="module")
def keys():
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "ed": ed25519.Ed25519PrivateKey.generate(),
        "other_rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture
def jwks(keys):
    return {
        "keys": [
            _jwk(keys["rsa"].public_key(), RSAAlgorithm(RSAAlgorithm.SHA256), "rsa1"),
            _jwk(keys["ec"].public_key(), ECAlgorithm(ECAlgorithm.SHA256), "ec1"),
            _jwk(keys["ed"].public_key(), OKPAlgorithm(), "ed1"),
        ]
    }


def _sign(key, alg, kid, **claims):
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, "preferred_username": "ana"}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.mark.parametrize(
    ("name", "alg", "kid"), [("rsa", "RS256", "rsa1"), ("ec", "ES256", "ec1"), ("ed", "EdDSA", "ed1")]
)
def test_valid_jwts_map_to_registered_users(governed, keys, jwks, name, alg, kid):
    validator = JwtValidator(ISSUER, AUDIENCE, jwks)
    viewer = validator.validate(governed, _sign(keys[name], alg, kid))
    assert (viewer.user, viewer.agency) == ("ana", "gb_ukbsu")


def test_sub_is_the_fallback_claim_and_the_claim_is_configurable(governed, keys, jwks):
    token = _sign(keys["rsa"], "RS256", "rsa1", preferred_username=None, sub="bob")
    assert JwtValidator(ISSUER, AUDIENCE, jwks).validate(governed, token).user == "bob"
    token = _sign(keys["rsa"], "RS256", "rsa1", email="ana", preferred_username="bob")
    assert JwtValidator(ISSUER, AUDIENCE, jwks, user_claim="email").validate(governed, token).user == "ana"


def _none_token():
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "preferred_username": "ana"}
    return f"{part({'alg': 'none', 'kid': 'rsa1'})}.{part(claims)}."


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda k: _sign(k["rsa"], "RS256", "rsa1", exp=int(time.time()) - 3600), id="expired"),
        pytest.param(lambda k: _sign(k["rsa"], "RS256", "rsa1", nbf=int(time.time()) + 3600), id="not-yet"),
        pytest.param(lambda k: _sign(k["rsa"], "RS256", "rsa1", aud="someone-else"), id="wrong-audience"),
        pytest.param(
            lambda k: _sign(k["rsa"], "RS256", "rsa1", iss="https://evil.example"), id="wrong-issuer"
        ),
        pytest.param(lambda k: _sign(k["other_rsa"], "RS256", "rsa1"), id="wrong-key"),
        pytest.param(lambda k: _sign(k["rsa"], "RS256", "nope"), id="unknown-kid"),
        pytest.param(lambda k: _sign(k["rsa"], "RS256", "rsa1", exp=None), id="no-exp"),
        pytest.param(
            lambda k: _sign(k["rsa"], "RS256", "rsa1", preferred_username="nobody"), id="unknown-user"
        ),
        pytest.param(lambda k: _sign(k["ec"], "ES256", "rsa1"), id="alg-not-the-keys"),
        pytest.param(lambda k: _sign(b"s" * 32, "HS256", "rsa1"), id="hmac"),
        pytest.param(lambda k: _none_token(), id="alg-none"),
        pytest.param(lambda k: "not.a.jwt", id="garbage"),
    ],
)
def test_bad_jwts_are_refused(governed, keys, jwks, make):
    validator = JwtValidator(ISSUER, AUDIENCE, jwks)
    with pytest.raises(AccessDenied) as info:
        validator.validate(governed, make(keys))
    assert info.value.message == DENIED


def test_disabled_user_jwt_is_refused_and_leeway_applies(governed, keys, jwks):
    validator = JwtValidator(ISSUER, AUDIENCE, jwks, leeway=30)
    assert (
        validator.validate(governed, _sign(keys["ec"], "ES256", "ec1", exp=int(time.time()) - 5)).user
        == "ana"
    )
    registry.set_user_active(governed, "ana", False)
    with pytest.raises(AccessDenied):
        validator.validate(governed, _sign(keys["ec"], "ES256", "ec1"))


def test_jwks_file_is_reread_when_it_changes(governed, keys, jwks, tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": jwks["keys"][:1]}))
    validator = JwtValidator.from_file(path, ISSUER, AUDIENCE)
    token = _sign(keys["ed"], "EdDSA", "ed1")
    with pytest.raises(AccessDenied):
        validator.validate(governed, token)
    path.write_text(json.dumps(jwks))
    import os

    os.utime(path, (time.time() + 5, time.time() + 5))
    assert validator.validate(governed, token).user == "ana"


def test_configuration_errors(tmp_path):
    with pytest.raises(ConfigurationError, match="no signing key"):
        JwtValidator(ISSUER, AUDIENCE, {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]})
    with pytest.raises(ConfigurationError, match="unsupported"):
        JwtValidator(ISSUER, AUDIENCE, {"keys": []}, algorithms=("HS256",))
    with pytest.raises(ConfigurationError, match="cannot read"):
        JwtValidator.from_file(tmp_path / "missing.json", ISSUER, AUDIENCE)
    assert JwtValidator.from_env({}) is None
    with pytest.raises(ConfigurationError, match="COUNTERFLOW_OIDC_AUDIENCE"):
        JwtValidator.from_env({"COUNTERFLOW_OIDC_ISSUER": ISSUER})


def test_authenticate_dispatches_on_the_credential(governed, keys, jwks):
    validator = JwtValidator(ISSUER, AUDIENCE, jwks)
    assert authenticate(governed, issue_token(governed, "bob"), validator).user == "bob"
    assert authenticate(governed, _sign(keys["rsa"], "RS256", "rsa1"), validator).user == "ana"
    with pytest.raises(AccessDenied):
        authenticate(governed, _sign(keys["rsa"], "RS256", "rsa1"))  # no validator configured


# -- the service's cache of verified tokens ------------------------------------------------


def test_concurrent_first_uses_of_a_token_run_argon2_once(governed, monkeypatch):
    """A service starting under load must not verify one token once per waiting request."""
    import threading

    from counterflow.policy import auth

    token = issue_token(governed, "ana")
    calls = []
    real = auth._verify

    def counted(stored_hash, secret):
        calls.append(secret)
        real(stored_hash, secret)

    monkeypatch.setattr(auth, "_verify", counted)
    cache = VerifiedSecrets()
    start = threading.Barrier(8)
    seen = []

    def use(credential):
        start.wait()
        try:
            seen.append(authenticate_token(governed, credential, cache).user)
        except AccessDenied:
            seen.append("denied")

    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    threads = [threading.Thread(target=use, args=(token if i else wrong,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(seen) == ["ana"] * 7 + ["denied"]
    assert len(calls) == 2  # once for the good secret, once for the wrong one
    with pytest.raises(AccessDenied):  # a wrong secret is never remembered
        authenticate_token(governed, wrong, cache)


def test_a_cached_token_still_sees_disabling_and_new_agreements_at_once(governed):
    cache = VerifiedSecrets()
    token = issue_token(governed, "ana")
    registry.add_agency(governed, "rs_mup", "MUP")
    assert authenticate_token(governed, token, cache).agreements == ()
    agreement = registry.add_agreement(governed, "rs_mup", "gb_ukbsu")
    assert [a.owner for a in authenticate_token(governed, token, cache).agreements] == ["rs_mup"]
    registry.revoke_agreement(governed, agreement)
    assert authenticate_token(governed, token, cache).agreements == ()
    registry.set_user_active(governed, "ana", False)
    with pytest.raises(AccessDenied):
        authenticate_token(governed, token, cache)


def test_a_quick_check_never_pays_argon2_and_refuses_what_a_full_check_refuses(governed, monkeypatch):
    """The event loop's check: only a token already verified passes without a thread."""
    from counterflow.policy import auth

    token, other = issue_token(governed, "ana"), issue_token(governed, "bob")
    cache = VerifiedSecrets()
    argon2 = []
    real = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, s: (argon2.append(s), real(h, s)))
    monkeypatch.setattr(auth, "_burn", lambda: argon2.append("burn"))
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for credential in (token, wrong, "cf_0000000000000000_" + token.split("_", 2)[2], "garbage"):
        with pytest.raises(auth.NeedsThread):  # not verified yet, wrong, unknown, malformed
            authenticate_token(governed, credential, cache, quick=True)
    with pytest.raises(auth.NeedsThread):
        authenticate_token(governed, token, None, quick=True)  # no cache: every check is argon2
    assert argon2 == []
    assert authenticate_token(governed, token, cache).user == "ana"  # verified once, on a thread
    assert authenticate_token(governed, token, cache, quick=True).user == "ana"
    with pytest.raises(auth.NeedsThread):
        authenticate_token(governed, wrong, cache, quick=True)  # the right id does not make it right
    assert authenticate_token(governed, other, cache).user == "bob"
    registry.set_user_active(governed, "bob", False)
    revoke_token(governed, token.split("_")[1])
    for credential in (token, other):  # revoked, disabled: refused at once, as by the full check
        with pytest.raises(AccessDenied) as info:
            authenticate_token(governed, credential, cache, quick=True)
        assert info.value.message == DENIED
    assert len(argon2) == 2  # the two verifications on a thread, nothing else
