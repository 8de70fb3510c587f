import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidValue
from counterflow.model.normalise.finance import (
    find_crypto_wallets,
    find_ibans,
    normalise_bic,
    normalise_crypto_wallet,
    normalise_iban,
)

# Example IBANs from the SWIFT IBAN registry, one per country on the route.
REGISTRY_IBANS = {
    "RS": ("RS35 2600 0560 1001 6113 79", "260"),
    "MK": ("MK07 2501 2000 0058 984", "250"),
    "BA": ("BA39 1290 0794 0102 8494", "129"),
    "HR": ("HR12 1001 0051 8630 0016 0", "1001005"),
    "GR": ("GR16 0110 1250 0000 0001 2300 695", "011"),
    "HU": ("HU42 1177 3016 1111 1018 0000 0000", "117"),
    "BG": ("BG80 BNBG 9661 1020 3456 78", "BNBG"),
    "DE": ("DE89 3704 0044 0532 0130 00", "37040044"),
    "FR": ("FR14 2004 1010 0505 0001 3M02 606", "20041"),
    "BE": ("BE68 5390 0754 7034", "539"),
    "GB": ("GB29 NWBK 6016 1331 9268 19", "NWBK"),
    "TR": ("TR33 0006 1005 1978 6457 8413 26", "00061"),
}


@pytest.mark.parametrize("country", sorted(REGISTRY_IBANS))
def test_registry_ibans(country):
    written, bank = REGISTRY_IBANS[country]
    result = normalise_iban(written)
    assert result.value == written.replace(" ", "")
    assert result.original == written
    assert result.evidence["country"] == country
    assert result.evidence["bank_code"] == bank


def test_iban_bic_when_known_and_lower_case_input():
    result = normalise_iban("de89 3704 0044 0532 0130 00")
    assert result.value == "DE89370400440532013000"
    assert result.evidence["bic"] == "COBADEFFXXX"
    assert "bic" not in normalise_iban("MK07250120000058984").evidence


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DE89370400440532013001", "check digits do not match"),
        ("RS35260005601001611378", "check digits do not match"),
        ("DE8937040044053201300", "wrong length"),
        ("XX89370400440532013000", "unknown country code"),
        ("", "empty"),
    ],
)
def test_iban_rejections(text, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_iban(text)
    assert info.value.kind == "iban"
    assert reason in info.value.reason


def test_bic():
    aik = normalise_bic("AIKB RS 22")
    assert aik.value == "AIKBRS22"
    assert aik.evidence["country"] == "RS"
    assert "AIK" in aik.evidence["bank"]
    assert normalise_bic("deutdeff500").value == "DEUTDEFF500"
    for bad, reason in [
        ("DEUT", "8 or 11"),
        ("DEUTXXFF", "country"),
        ("DEUTDEFF50", "8 or 11"),
        ("", "empty"),
    ]:
        with pytest.raises(InvalidValue) as info:
            normalise_bic(bad)
        assert reason in info.value.reason


@pytest.mark.parametrize(
    ("address", "value", "chain", "kind"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin", "p2sh"),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bitcoin",
            "segwit",
        ),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bitcoin",
            "segwit",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "bitcoin",
            "segwit",
        ),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron", "account"),
        (
            " 0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe ",
            "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae",
            "ethereum",
            "account",
        ),
    ],
)
def test_valid_wallets(address, value, chain, kind):
    result = normalise_crypto_wallet(address)
    assert result.value == value
    assert result.evidence == {"chain": chain, "type": kind}


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "base58check checksum"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "base58check checksum"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bech32 checksum"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7KV8F3T4", "mixes upper and lower case"),
        # BIP 350 test vector: a taproot (v1) program checksummed with bech32 instead of bech32m
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32 checksum"),
        ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "not a Bitcoin, Ethereum or Tron"),
        ("0x123", "40 hex digits"),
        ("0xZZ0B295669a9FD93d5F28D9Ec85E40f4cb697BAe", "40 hex digits"),
        ("hello world", "not a Bitcoin"),
        ("", "empty"),
    ],
)
def test_invalid_wallets(address, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_crypto_wallet(address)
    assert info.value.kind == "crypto_wallet"
    assert reason in info.value.reason


def test_find_crypto_wallets():
    text = (
        "uplata na 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa, zatim USDT na TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t "
        "i 0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe. Pogrešno: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"
    )
    found = find_crypto_wallets(text)
    assert [r.evidence["chain"] for _, _, r in found] == ["bitcoin", "tron", "ethereum"]
    for start, end, result in found:
        assert text[start:end] == result.original


def test_find_ibans_in_groups_and_compact():
    text = (
        "Račun RS35 2600 0560 1001 6113 79 EUR, drugi DE89370400440532013000. "
        "Pogrešan DE89370400440532013001; britanski GB29 NWBK 6016 1331 9268 19"
    )
    found = find_ibans(text)
    assert [r.value for _, _, r in found] == [
        "RS35260005601001611379",
        "DE89370400440532013000",
        "GB29NWBK60161331926819",
    ]
    for start, end, result in found:
        assert text[start:end] == result.original


def test_find_ibans_nothing_in_plain_text():
    assert find_ibans("Nema računa, samo broj AB12 i tekst.") == []


@given(st.sampled_from(sorted(REGISTRY_IBANS)), st.integers(min_value=2, max_value=22))
def test_one_changed_character_is_rejected(country, position):
    compact = REGISTRY_IBANS[country][0].replace(" ", "")
    position = min(position, len(compact) - 1)
    original = compact[position]
    replacement = "7" if original != "7" else "3"
    if original.isalpha():
        replacement = "Q" if original != "Q" else "W"
    with pytest.raises(InvalidValue):
        normalise_iban(compact[:position] + replacement + compact[position + 1 :])
