"""Bank accounts (IBAN, BIC) and crypto-currency wallet addresses.

IBAN and BIC go through schwifty. Wallets are recognised by shape and verified by their
own checksums, so a typo is rejected rather than stored as a new selector:

* Bitcoin: base58check P2PKH (``1…``) and P2SH (``3…``) with the double-SHA-256 checksum,
  and segwit ``bc1…`` with the bech32 (witness v0) or bech32m (v1+) checksum. Mainnet only.
* Tron: base58check ``T…`` (34 characters, version byte 0x41).
* Ethereum (and other EVM chains, which share the address format): ``0x`` + 40 hex
  digits, stored lower-case. The EIP-55 mixed-case checksum is not verified: it needs
  Keccak-256, which hashlib lacks, and most reports copy addresses lower-case anyway.

Base58 addresses are case-sensitive and kept as written; bech32 ones are stored lower-case.
"""

from __future__ import annotations

import hashlib
import re

from schwifty import BIC, IBAN
from schwifty import exceptions as sx

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

_IBAN_REASONS: list[tuple[type[Exception], str]] = [
    (sx.InvalidChecksumDigits, "IBAN check digits do not match the account number (mistyped?)"),
    (sx.InvalidCountryCode, "IBAN starts with an unknown country code"),
    (sx.InvalidLength, "IBAN has the wrong length for its country"),
    (sx.InvalidStructure, "IBAN account part does not have its country's structure"),
    (sx.InvalidBBANChecksum, "national check digits inside the IBAN are wrong"),
]


def normalise_iban(text: str) -> Normalised:
    """A compact IBAN; evidence: ``country``, ``bank_code`` and, when schwifty knows it, ``bic``."""
    if not text or not text.strip():
        raise InvalidValue("iban", text, "IBAN is empty")
    try:
        iban = IBAN(text.strip())
    except sx.SchwiftyException as exc:
        reason = next((r for cls, r in _IBAN_REASONS if isinstance(exc, cls)), f"not a valid IBAN: {exc}")
        raise InvalidValue("iban", text, reason) from exc
    evidence = {"country": iban.country_code, "bank_code": iban.bank_code}
    bic = iban.bic
    if bic is not None:
        evidence["bic"] = str(bic.compact)
    return Normalised(value=iban.compact, original=text, evidence=evidence)


def normalise_bic(text: str) -> Normalised:
    """A BIC (SWIFT code) of 8 or 11 characters, compact; evidence: ``country`` and ``bank`` if known."""
    if not text or not text.strip():
        raise InvalidValue("bic", text, "BIC is empty")
    try:
        bic = BIC(text.strip())
    except sx.SchwiftyException as exc:
        if isinstance(exc, sx.InvalidLength):
            reason = "BIC must be 8 or 11 letters and digits"
        elif isinstance(exc, sx.InvalidCountryCode):
            reason = "BIC characters 5-6 are not a known country code"
        else:
            reason = f"not a valid BIC: {exc}"
        raise InvalidValue("bic", text, reason) from exc
    evidence = {"country": bic.country_code}
    if bic.bank_names:
        evidence["bank"] = bic.bank_names[0]
    return Normalised(value=bic.compact, original=text, evidence=evidence)


_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _b58check_payload(address: str) -> bytes | None:
    """Version byte + payload of a base58check string, or None if it does not decode or check."""
    number = 0
    for char in address:
        if char not in _B58_INDEX:
            return None
        number = number * 58 + _B58_INDEX[char]
    pad = len(address) - len(address.lstrip("1"))
    raw = b"\x00" * pad + (number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b"")
    if len(raw) < 5:
        return None
    body, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] != checksum:
        return None
    return body


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _segwit_problem(address: str) -> str | None:
    """Why a ``bc1`` address is invalid (BIP 173/350), or None when it is valid."""
    if address != address.lower() and address != address.upper():
        return "bech32 address mixes upper and lower case"
    address = address.lower()
    hrp, _, data_part = address.rpartition("1")
    if hrp != "bc" or not 14 <= len(address) <= 90 or len(data_part) < 7:
        return "not a Bitcoin mainnet bech32 address"
    if any(c not in _BECH32_CHARSET for c in data_part):
        return "character outside the bech32 alphabet"
    data = [_BECH32_CHARSET.index(c) for c in data_part]
    const = _bech32_polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    version = data[0]
    if const != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        return "bech32 checksum does not match (mistyped?)"
    if version > 16:
        return f"unknown witness version {version}"
    acc, bits, program = 0, 0, []
    for value in data[1:-6]:
        acc, bits = (acc << 5) | value, bits + 5
        while bits >= 8:
            bits -= 8
            program.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        return "bech32 padding is invalid"
    if not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        return f"witness program of {len(program)} bytes is not valid for version {version}"
    return None


def normalise_crypto_wallet(text: str) -> Normalised:
    """A Bitcoin, Ethereum or Tron address, checksum-verified; evidence: ``chain`` (and ``type``)."""
    address = text.strip()
    if not address:
        raise InvalidValue("crypto_wallet", text, "wallet address is empty")
    if address[:3].lower() == "bc1":
        problem = _segwit_problem(address)
        if problem:
            raise InvalidValue("crypto_wallet", text, problem)
        return Normalised(address.lower(), text, {"chain": "bitcoin", "type": "segwit"})
    if address[:2] in ("0x", "0X"):
        if not re.fullmatch(r"[0-9a-fA-F]{40}", address[2:]):
            raise InvalidValue("crypto_wallet", text, "Ethereum address must be 0x followed by 40 hex digits")
        return Normalised("0x" + address[2:].lower(), text, {"chain": "ethereum", "type": "account"})
    if address[0] in "13T" and 25 <= len(address) <= 35:
        body = _b58check_payload(address)
        if body is None:
            raise InvalidValue("crypto_wallet", text, "base58check checksum does not match (mistyped?)")
        if address[0] == "T" and len(address) == 34 and body[0] == 0x41 and len(body) == 21:
            return Normalised(address, text, {"chain": "tron", "type": "account"})
        if len(body) == 21 and body[0] in (0x00, 0x05):
            kind = "p2pkh" if body[0] == 0x00 else "p2sh"
            return Normalised(address, text, {"chain": "bitcoin", "type": kind})
        raise InvalidValue(
            "crypto_wallet", text, f"base58check version byte 0x{body[0]:02x} is not Bitcoin or Tron"
        )
    raise InvalidValue("crypto_wallet", text, "not a Bitcoin, Ethereum or Tron address")


_WALLET_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(?:[bB][cC]1[0-9A-Za-z]{11,87}|0[xX][0-9a-fA-F]{40}|[13T][1-9A-HJ-NP-Za-km-z]{24,34})"
    r"(?![0-9A-Za-z])"
)
_IBAN_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?: ?[0-9A-Z]){11,30}")


def find_crypto_wallets(text: str) -> list[tuple[int, int, Normalised]]:
    """Checksum-valid wallet addresses in free text, as (start, end, Normalised)."""
    found: list[tuple[int, int, Normalised]] = []
    for match in _WALLET_CANDIDATE.finditer(text):
        try:
            found.append((match.start(), match.end(), normalise_crypto_wallet(match.group(0))))
        except InvalidValue:
            continue
    return found


def find_ibans(text: str) -> list[tuple[int, int, Normalised]]:
    """Valid IBANs in free text (upper case, compact or in groups of 4), as (start, end, Normalised).

    A candidate may run on into following capitals or digits (``... 79 EUR``), so the
    longest prefix ending at a word boundary that schwifty accepts wins.
    """
    found: list[tuple[int, int, Normalised]] = []
    position = 0
    while True:
        match = _IBAN_CANDIDATE.search(text, position)
        if match is None:
            return found
        start, end = match.start(), match.end()
        result = None
        while end - start >= 15:
            if end == len(text) or not text[end].isalnum():
                try:
                    result = normalise_iban(text[start:end])
                    break
                except InvalidValue:
                    pass
            end -= 1
            while end > start and text[end - 1] == " ":
                end -= 1
        if result is not None:
            found.append((start, end, result))
            position = end
        else:
            position = start + 1
