"""The comparisons' levels on pairs that tell them apart."""

import pytest
from resolve_data import person

from counterflow.resolve.explain import explain_records
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.splink_model import TrainedModel, settings_for

MODEL = TrainedModel("person", "cf-person/test", settings_for("person"), False, 0)
HOME = "33 Piddington Street, Ocean Star Villas, Ballina 3204 VIC"


def _address_level(left: str, right: str) -> str:
    a = record_from_ftm(person("x.1", "gb_nca", "Lily Hage", address=left))
    b = record_from_ftm(person("x.2", "gr_police", "Lily Hage", address=right))
    a.uid, b.uid = 0, 1
    levels = {c["comparison"]: c["level"] for c in explain_records(a, b, MODEL)["comparisons"]}
    return levels["address"]


@pytest.mark.parametrize(
    ("other", "level"),
    [
        (HOME, "same address"),
        ("33 Piddington Street, Ocean Star, Ballina 3204 VIC", "most address words, the same numbers"),
        ("33 Piddington St, Ocean Star Villas, Ballina 3240 VIC", "most address words, a number in common"),
        ("66 Keith Street, Ocean Star Villas, Beenleigh 6107 VIC", "most address words, other numbers"),
        ("12 Forsythe Street, Winthrop 2107 NSW", "different addresses"),
    ],
)
def test_address_numbers_tell_a_neighbour_from_a_typo(other, level):
    assert _address_level(HOME, other) == level
