import pytest

from counterflow.errors import InvalidValue
from counterflow.model.agencies import agency_country, agency_slug, validate_agency
from counterflow.model.roles import PROTECTED_ROLES, Role, is_protected, parse_role


def test_roles():
    assert parse_role("Safe-house keeper") is Role.SAFE_HOUSE_KEEPER
    assert parse_role("MINOR") is Role.MINOR
    with pytest.raises(InvalidValue, match="unknown role"):
        parse_role("kingpin")
    assert is_protected({"driver", "victim"})
    assert not is_protected({"organiser", "driver"})
    assert {Role.VICTIM, Role.WITNESS, Role.MINOR} == PROTECTED_ROLES


@pytest.mark.parametrize(
    ("agency", "country"),
    [("rs_mup", "RS"), ("mk_mvr", "MK"), ("gb_ukbsu", "GB"), ("eu_europol", None), ("hr_mup", "HR")],
)
def test_agency_country(agency, country):
    assert agency_country(agency) == country


@pytest.mark.parametrize("bad", ["RS_MUP", "rsmup", "zz_police", "rs_", "rs-mup", "rs_mup;drop"])
def test_bad_agencies(bad):
    with pytest.raises(InvalidValue):
        validate_agency(bad)


def test_slug():
    assert agency_slug("eu_europol") == "eu-europol"
