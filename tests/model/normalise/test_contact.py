import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidValue
from counterflow.model.normalise.contact import find_emails, normalise_email


@pytest.mark.parametrize(
    ("written", "value", "domain"),
    [
        ("Ana.Petrovic@Gmail.com", "ana.petrovic@gmail.com", "gmail.com"),
        ("  marko_1985@yahoo.co.uk ", "marko_1985@yahoo.co.uk", "yahoo.co.uk"),
        ("mailto:info@mup.gov.rs", "info@mup.gov.rs", "mup.gov.rs"),
        ("<ahmad+taxi@proton.me>", "ahmad+taxi@proton.me", "proton.me"),
        ("o'neil@example.org", "o'neil@example.org", "example.org"),
        ("kontakt@đak.rs", "kontakt@xn--ak-pma.rs", "xn--ak-pma.rs"),
    ],
)
def test_valid_emails(written, value, domain):
    result = normalise_email(written)
    assert result.value == value
    assert result.original == written
    assert result.evidence == {"domain": domain}


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "empty"),
        ("ana.petrovic", "exactly one '@', found 0"),
        ("a@b@c.com", "exactly one '@', found 2"),
        ("@gmail.com", "nothing before"),
        ("ana@", "nothing after"),
        ("ana petrovic@gmail.com", "whitespace"),
        ("ana..petrovic@gmail.com", "invalid characters or dots"),
        (".ana@gmail.com", "invalid characters or dots"),
        ("ана@gmail.com", "non-ASCII"),
        ("ana@localhost", "no top-level domain"),
        ("ana@-gmail.com", "label '-gmail'"),
        ("ana@gmail.c", "top-level domain 'c'"),
        ("ana@gmail.123", "top-level domain '123'"),
        ("a" * 65 + "@gmail.com", "longer than 64"),
    ],
)
def test_rejections(written, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_email(written)
    assert info.value.kind == "email"
    assert reason in info.value.reason


def test_find_emails():
    text = "Piši na Ana.Petrovic@Gmail.com ili (marko_1985@yahoo.co.uk). Ne: ana@@x.com, ana@localhost."
    found = find_emails(text)
    assert [r.value for _, _, r in found] == ["ana.petrovic@gmail.com", "marko_1985@yahoo.co.uk"]
    for start, end, result in found:
        assert text[start:end] == result.original


def test_find_emails_drops_sentence_full_stop():
    text = "Adresa je info@mup.gov.rs."
    [(start, end, result)] = find_emails(text)
    assert text[start:end] == "info@mup.gov.rs"
    assert result.value == "info@mup.gov.rs"


_LOCAL = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_+-", min_size=1, max_size=20)
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@given(_LOCAL, _LABEL, st.sampled_from(["rs", "mk", "com", "de", "gr"]))
def test_idempotent_and_lower_case(local, label, tld):
    result = normalise_email(f"{local}@{label}.{tld}")
    assert result.value == result.value.lower()
    assert normalise_email(result.value).value == result.value
