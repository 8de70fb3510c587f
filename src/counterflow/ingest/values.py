"""Which normaliser applies to which property, and turning one raw value into a clean one.

The choice is made per FollowTheMoney property type, refined by property name where
an ``identifier`` means something specific (a plate, a passport, a national id, a BIC,
a wallet). Whatever has no normaliser of ours goes through FollowTheMoney's own type
cleaning; a value nobody can clean is an error, never silently stored.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from followthemoney import model as ftm_model
from followthemoney.property import Property

from counterflow.errors import InvalidValue
from counterflow.model.normalise import (
    Normalised,
    detect_script,
    normalise_bic,
    normalise_crypto_wallet,
    normalise_date,
    normalise_email,
    normalise_iban,
    normalise_imei,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
    normalise_plate,
)
from counterflow.model.statement import evidence_json

NAME_PROPS = frozenset(
    {
        "name",
        "alias",
        "weakAlias",
        "previousName",
        "firstName",
        "lastName",
        "middleName",
        "secondName",
        "fatherName",
        "motherName",
        "givenName",
        "surname",
    }
)
PLATE_PROPS = frozenset({("Vehicle", "registrationNumber")})
PASSPORT_PROPS = frozenset({"passportNumber"})
NATIONAL_ID_PROPS = frozenset({"idNumber", "personalNumber"})


class Context(NamedTuple):
    """What a normaliser may use besides the value: who reported it and about what."""

    agency_country: str | None
    entity_country: str | None = None
    identification_type: str | None = None
    dayfirst: bool = True


def stored_type(prop: Property) -> str:
    """The ``prop_type`` column: names are ``name`` whatever FtM calls them (firstName is a string)."""
    if prop.name in NAME_PROPS and prop.schema.is_a("Thing"):
        return "name"
    return str(prop.type.name)


class Clean(NamedTuple):
    """A normalised value ready for a statement row: value, stored type, script, evidence JSON."""

    value: str
    original: str
    prop_type: str
    script: str | None
    evidence: str | None


def clean_value(prop: Property, raw: str, ctx: Context) -> Clean:
    """Normalise one value of ``prop`` and give what a statement row needs; raises InvalidValue
    with the reason.

    Results are cached: bulk sources repeat the same phones, plates and names endlessly (a
    call-record file is mostly the same few numbers), and normalisers are pure. The cache holds
    plain tuples, keys and values: those the garbage collector stops tracking, so a service's
    full collections do not walk every value it has cleaned (they took tens of milliseconds
    after a minute of ingest when the cache held dataclasses)."""
    return Clean._make(_clean_cached(prop.schema.name, prop.name, raw, tuple(ctx)))


@lru_cache(maxsize=65_536)
def _clean_cached(
    schema_name: str, prop_name: str, raw: str, context: tuple[str | None, str | None, str | None, bool]
) -> tuple[str, str, str, str | None, str | None]:
    prop = ftm_model.get(schema_name).properties[prop_name]  # type: ignore[union-attr]
    norm = _normalise(prop, raw, Context._make(context))
    ptype = stored_type(prop)
    script = norm.evidence.get("script") if ptype in {"name", "string", "text"} else None
    # The script has its own column; the Latin form is recomputable from the original.
    evidence = {k: v for k, v in norm.evidence.items() if k not in ("script", "latin")}
    return (norm.value, norm.original, ptype, script, evidence_json(evidence))


def _normalise(prop: Property, raw: str, ctx: Context) -> Normalised:
    value = raw.strip()
    if not value:
        raise InvalidValue(prop.name, raw, "empty value")
    schema = prop.schema.name
    type_name = prop.type.name
    if type_name == "name" or (prop.name in NAME_PROPS and prop.schema.is_a("Thing")):
        return normalise_name(value)
    if type_name == "phone":
        return normalise_phone(value, ctx.agency_country)
    if type_name == "iban":
        return normalise_iban(value)
    if type_name == "email":
        return normalise_email(value)
    if type_name == "date":
        return normalise_date(value, dayfirst=ctx.dayfirst)
    if type_name == "identifier":
        return _identifier(prop, schema, value, ctx)
    if type_name == "entity":
        return Normalised(value, value, {})
    cleaned = prop.type.clean(value, proxy=None)
    if cleaned is None:
        raise InvalidValue(prop.name, raw, f"not a valid {type_name}")
    evidence = {}
    if type_name in {"string", "text"}:
        script = detect_script(value)
        if script:
            evidence["script"] = script
    return Normalised(str(cleaned), value, evidence)


def _identifier(prop: Property, schema: str, value: str, ctx: Context) -> Normalised:
    country = ctx.entity_country
    if (schema, prop.name) in PLATE_PROPS or (
        prop.schema.is_a("Vehicle") and prop.name == "registrationNumber"
    ):
        return normalise_plate(value, country or ctx.agency_country)
    if prop.name in PASSPORT_PROPS or (prop.schema.is_a("Passport") and prop.name == "number"):
        return normalise_passport(value, country)
    if prop.schema.is_a("Identification") and prop.name == "number":
        kind = (ctx.identification_type or "").strip().lower()
        if kind == "imei":
            return normalise_imei(value)
        return normalise_national_id(value, country or ctx.agency_country)
    if prop.name in NATIONAL_ID_PROPS:
        return normalise_national_id(value, country or ctx.agency_country)
    if prop.name == "bic":
        return normalise_bic(value)
    if prop.schema.is_a("CryptoWallet") and prop.name in {"publicKey", "cryptoAddress"}:
        return normalise_crypto_wallet(value)
    if prop.name == "iban":
        return normalise_iban(value)
    compact = "".join(value.split()).upper()
    if len(compact) > 128:
        raise InvalidValue(prop.name, value, "identifier longer than 128 characters")
    return Normalised(compact, value, {})
