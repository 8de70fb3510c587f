"""Sightings, tracks, leg times and interception windows, from statements as agencies report them."""

from counterflow.ingest.report import parse_report
from counterflow.model.places import PLACE
from counterflow.routes.gazetteer import Gazetteer
from counterflow.routes.tracks import leg_times, sightings, tracks
from counterflow.routes.windows import interception_window, next_places

from reports import report


def _stmts(*reports):
    out = []
    for r in reports:
        out.extend(parse_report(r).statements)
    return out


def _trip(agency, rid, vid, plate, when, location, lang="en", country="rs"):
    return report(
        agency=agency,
        report_id=rid,
        language=lang,
        handling={"scheme": "3x5x2", "code": "P"},
        entities=[
            {"id": vid, "schema": "Vehicle", "properties": {"registrationNumber": plate, "country": country}},
            {
                "id": f"t-{rid}",
                "schema": "Trip",
                "properties": {"vehicle": vid, "startDate": when, "location": location},
            },
        ],
    )


def test_sightings_from_names_in_any_script_and_unknown_places():
    stmts = _stmts(
        _trip("rs_mup", "R1", "v1", "BG 123-AB", "2026-03-01T04:10", "Прешево", lang="sr"),
        _trip("rs_mup", "R2", "v1", "BG 123-AB", "2026-03-02T22:00", "Belgrade (park by the bus station)"),
        _trip("rs_mup", "R3", "v1", "BG 123-AB", "2026-03-03T01:00", "a farm near nowhere"),
    )
    found, unknown = sightings(stmts, Gazetteer())
    assert [(s.place.key, s.source) for s in found] == [("presevo", "trip"), ("belgrade", "trip")]
    assert found[0].statements and all(found[0].statements)
    assert [u.text for u in unknown] == ["a farm near nowhere"]


def test_anpr_reads_are_placed_by_camera_coordinates():
    anpr = report(
        agency="be_police",
        report_id="ANPR-1",
        language="nl",
        grading={"scheme": "4x4", "source": "A", "information": "1"},
        handling={"scheme": "SIENA", "code": "H0"},
        entities=[
            {"id": "v", "schema": "Vehicle", "properties": {"registrationNumber": "NF741J", "country": "nl"}},
            {
                "id": "cam",
                "schema": "Address",
                "properties": {"name": "E40 Jabbeke parking", "latitude": "51.181", "longitude": "3.089"},
            },
            {
                "id": "r",
                "schema": "Trip",
                "properties": {"vehicle": "v", "startLocation": "cam", "startDate": "2026-03-06T02:58"},
            },
        ],
    )
    found, _ = sightings(_stmts(anpr))
    assert [(s.subject, s.place.key, s.source) for s in found] == [("be-police.v", "jabbeke", "anpr")]


def test_leg_times_eta_and_window():
    # Three past vehicles took 60, 72 and 90 hours from Serbia to the French coast.
    past = []
    for i, hours in enumerate((60, 72, 90)):
        past.append(_trip("rs_mup", f"P{i}a", f"p{i}", f"BG 10{i}-AB", "2026-02-01T00:00", "Belgrade"))
        day, hour = divmod(hours, 24)
        past.append(
            _trip(
                "fr_ocriest",
                f"P{i}b",
                f"p{i}",
                f"BG 10{i}-AB",
                f"2026-02-{1 + day:02d}T{hour:02d}:00",
                "Loon-Plage",
                lang="fr",
                country="rs",
            )
        )
    # Vehicles are per-agency entities here; resolution would make them one: do it by plate.
    plate_of = {}
    stmts = _stmts(*past, _trip("rs_mup", "NOW", "x", "BG 999-ZZ", "2026-03-10T06:00", "Subotica"))
    for s in stmts:
        if s.prop == "registrationNumber":
            plate_of[s.entity_id] = s.value
    found, _ = sightings(stmts, canonical=lambda e: plate_of.get(e, e))
    all_tracks = tracks(found)
    times = leg_times(all_tracks.values())
    serbia, coast = PLACE["belgrade"].stage, PLACE["loon_plage"].stage
    assert sorted(times.hours[(serbia, coast)]) == [60.0, 72.0, 90.0]
    w = interception_window(all_tracks["BG999ZZ"], times, ["rs_mup", "hu_police", "fr_ocriest", "gb_ukbsu"])
    assert w is not None
    assert w.eta_hours == 72.0 and w.until == "2026-03-13T06:00"
    assert "horgos" in [p.key for p in w.next_places]  # the crossing into Hungary is next
    assert "hu_police" in w.agencies and "rs_mup" in w.agencies and "gb_ukbsu" not in w.agencies
    assert "median of 3 observed journeys" in w.basis
    # On the coast there is no window left to compute.
    assert interception_window(all_tracks["BG100AB"], times, ["fr_ocriest"]) is None


def test_next_places_follow_the_corridors():
    assert [p.key for p in next_places(PLACE["idomeni"], 2)] == ["gevgelija", "vinojug"]
    assert next_places(PLACE["dover"]) == []


def test_a_shuttling_vehicle_makes_one_journey_per_run():
    runs = [
        ("2026-03-01T00:00", "Belgrade"),
        ("2026-03-04T00:00", "Loon-Plage"),  # 72 h to the coast
        ("2026-03-10T00:00", "Belgrade"),  # back down the route: a new journey
        ("2026-03-12T00:00", "Subotica"),
    ]
    stmts = _stmts(*(_trip("rs_mup", f"S{i}", "v", "BG 555-AA", at, loc) for i, (at, loc) in enumerate(runs)))
    track = tracks(sightings(stmts)[0])["rs-mup.v"]
    assert len(track.journeys) == 2
    assert track.stage == PLACE["subotica"].stage  # where it is now, not the coast it reached before
    times = leg_times([track])
    assert times.hours[(PLACE["belgrade"].stage, PLACE["loon_plage"].stage)] == [72.0]
    window = interception_window(track, times, ["rs_mup"])
    assert window is not None and window.until == "2026-03-15T00:00"  # 72 h after the last sighting
