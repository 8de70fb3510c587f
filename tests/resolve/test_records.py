from resolve_data import ALHASAN, person

from counterflow.resolve.records import record_from_ftm, record_from_json, record_to_json, region_of


def test_region_hint_from_dataset_prefix_reads_national_phones():
    assert region_of("rs_mup") == "RS" and region_of("eu_europol") is None and region_of("xx") is None
    recs = [record_from_ftm(e) for e in ALHASAN[:4]]
    assert all("phone:+381641234567" in r.selectors for r in recs)


def test_dates_at_their_precision_and_bad_values_skipped():
    rec = record_from_ftm(
        person(
            "x.p1",
            "rs_mup",
            "Ali Hassan",
            birthDate=["1988", "12.04.1988.", "garbage"],
            phone=["not a phone", "064 123 4567"],
            gender="M",
        )
    )
    assert rec.dob == "1988-04-12" and rec.dobs == ("1988-04-12", "1988")
    assert rec.selectors == ("phone:+381641234567",) and rec.gender == "male"


def test_jmbg_is_a_document_and_other_ids_are_weak():
    rec = record_from_ftm(person("x.p2", "rs_mup", "Nikola Petrović", idNumber=["2305992873976", "AB-12"]))
    assert rec.docs == ("jmbg:2305992873976",) and rec.weak_ids == ("AB12",)


def test_first_and_last_name_make_a_name():
    rec = record_from_ftm(
        {
            "id": "x.p3",
            "schema": "Person",
            "datasets": ["hr_mup"],
            "properties": {"firstName": ["Ivan"], "lastName": ["Horvat"]},
        }
    )
    assert rec.names == ("Ivan Horvat",) and [p.latin for p in rec.parts] == ["ivan", "horvat"]


def test_vehicle_plate_with_country_and_unhandled_schema():
    rec = record_from_ftm(
        {
            "id": "x.v1",
            "schema": "Vehicle",
            "datasets": ["rs_mup"],
            "properties": {"registrationNumber": ["БГ 123-АБ"], "country": ["rs"]},
        }
    )
    assert rec.kind == "object" and rec.object_keys == ("plate:RS:BG123AB",)
    assert record_from_ftm({"id": "x.e1", "schema": "Event", "properties": {}, "datasets": []}) is None


def test_json_round_trip():
    rec = record_from_ftm(ALHASAN[3])
    back = record_from_json(record_to_json(rec), 5)
    assert back.parts == rec.parts and back.uid == 5 and back.selectors == rec.selectors
