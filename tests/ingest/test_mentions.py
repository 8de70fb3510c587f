"""The index of known names: names found in text in any script, only where the author may see them,
and an index that stays out of the garbage collector's way as it grows."""

from __future__ import annotations

import gc

from counterflow.ingest.mentions import NameIndex
from counterflow.model.visibility import Meta

RS = Meta("rs_mup", 1, "3x5x2", "P", False)
HR = Meta("hr_mup", 1, "3x5x2", "C", False)


def test_a_known_name_is_found_in_another_script_with_its_offsets():
    index = NameIndex()
    index.add("rs.p1", "Muhamed Alhasan", RS)
    text = "Виђен је Мухамед Алхасан у Суботици."
    [found] = index.find(text)
    assert found.entity_id == "rs.p1" and text[found.start : found.end] == "Мухамед Алхасан"


def test_only_entries_the_author_may_see_are_found():
    index = NameIndex()
    index.add("rs.p1", "Muhamed Alhasan", RS)
    index.add("hr.p9", "Muhamed Alhasan", HR)
    index.add("rs.p1", "Muhamed Alhasan", RS)  # the same entry twice counts once
    seen = index.find("Muhamed Alhasan paid", allow=lambda m: m.agency == "rs_mup")
    assert [f.entity_id for f in seen] == ["rs.p1"]
    assert sorted(f.entity_id for f in index.find("Muhamed Alhasan paid")) == ["hr.p9", "rs.p1"]
    assert index.find("Muhamed alone") == [] and len(index) == 1


def test_names_without_metadata_are_always_found():
    index = NameIndex()
    index.add("x.1", "Ivana Petrović")
    assert [f.entity_id for f in index.find("Ivana Petrovic", allow=lambda m: False)] == ["x.1"]


def test_the_index_grows_without_growing_the_collectors_work():
    index = NameIndex()
    gc.collect()
    before = len(gc.get_objects())
    for i in range(5000):
        index.add(f"rs.p{i}", f"Person Number{i} Family{i % 97}", RS if i % 2 else HR)
    gc.collect()
    assert len(index) == 5000
    assert len(gc.get_objects()) - before < 500  # was ~4 tracked objects per name: 20,000


def test_cleaned_values_are_cached_out_of_the_collectors_way():
    from followthemoney import model

    from counterflow.ingest.values import Context, clean_value

    phone = model.get("Person").properties["phone"]
    ctx = Context("RS")
    gc.collect()
    before = len(gc.get_objects())
    cleaned = [clean_value(phone, f"064 {1000000 + i}", ctx) for i in range(3000)]
    del cleaned
    gc.collect()
    assert len(gc.get_objects()) - before < 500  # was ~3 tracked objects per value: 9,000
    assert clean_value(phone, "064 1234567", ctx).value == "+381641234567"
