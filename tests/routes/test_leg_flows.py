"""Weekly flows per leg from tracks: steps forward along a leg, one per trip, change points."""

from datetime import date, datetime, timedelta

from counterflow.model.places import PLACE
from counterflow.routes.leg_flows import leg_flows, leg_moves, legs_of
from counterflow.routes.tracks import Sighting, tracks


def seen(subject, at, place, trip):
    """A sighting placed by the statements of one trip (``trip`` names them)."""
    return Sighting(subject, at, PLACE[place], "name", "anpr", "rs_mup", (f"{trip}:{place}",))


def test_a_step_forward_along_a_leg_is_a_movement_and_backwards_is_not():
    assert legs_of(PLACE["belgrade"], PLACE["subotica"]) == ("RS-HU",)
    assert legs_of(PLACE["subotica"], PLACE["belgrade"]) == ()
    assert legs_of(PLACE["belgrade"], PLACE["belgrade"]) == ()
    assert legs_of(PLACE["belgrade"], PLACE["sid"]) == ("RS-HR",)


def test_one_trip_of_a_van_its_driver_and_passengers_is_one_movement():
    van = [
        seen("van", "2026-03-02T01:00", "belgrade", "T1"),
        seen("van", "2026-03-02T03:00", "subotica", "T1"),
        seen("van", "2026-03-02T04:00", "horgos", "T1"),
    ]
    driver = [seen("driver", s.at, s.place.key, "T1") for s in van]  # the same trip's statements
    moves = leg_moves(tracks([*van, *driver]).values())
    assert [(m.leg, m.day) for m in moves] == [("RS-HU", date(2026, 3, 2))]


def test_reads_too_far_apart_a_lone_read_and_protected_movers_are_not_counted():
    far = [
        seen("plate", "2026-03-02T01:00", "belgrade", "A"),
        seen("plate", "2026-03-12T01:00", "horgos", "B"),  # ten days later: not one trip
    ]
    lone = [seen("other", "2026-03-03T01:00", "horgos", "C")]
    victim = [
        seen("victim", "2026-03-04T01:00", "belgrade", "D"),
        seen("victim", "2026-03-04T05:00", "horgos", "D"),
    ]
    all_tracks = tracks([*far, *lone, *victim]).values()
    assert leg_moves(all_tracks, leave_out={"victim"}) == []
    assert [m.subject for m in leg_moves(all_tracks)] == ["victim"]


def test_a_shuttling_van_moves_once_per_run_and_weeks_are_zero_filled():
    runs = []
    for k, day in enumerate(("2026-03-02", "2026-03-05", "2026-03-20")):
        runs += [
            seen("van", f"{day}T01:00", "belgrade", f"R{k}"),
            seen("van", f"{day}T04:00", "horgos", f"R{k}"),
            seen("van", f"{day}T09:00", "szeged", f"R{k}"),
        ]
        runs.append(seen("van", f"{day}T20:00", "belgrade", f"back{k}"))  # back down the route
    flows = leg_flows(tracks(runs).values())
    assert flows.counts.weeks == (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16))
    assert flows.counts.series("RS-HU") == (2, 0, 1)
    assert flows.moves == 3 and flows.to_dict()["legs"] == {"RS-HU": [2, 0, 1]}


def test_a_corridor_falling_after_an_operation_is_found_and_a_steady_one_is_not():
    found = []
    start = datetime(2026, 1, 5, 1)
    for week in range(24):
        for n in range(12 if week < 12 else 2):  # RS-HU falls from 12 a week to 2 in week 12
            t = start + timedelta(weeks=week, hours=n * 10)
            trip = f"H{week}-{n}"
            found += [seen(f"v{trip}", t.isoformat(), "belgrade", trip)]
            found += [seen(f"v{trip}", (t + timedelta(hours=3)).isoformat(), "subotica", trip)]
        for n in range(6):  # RS-HR steady
            t = start + timedelta(weeks=week, hours=n * 20)
            trip = f"C{week}-{n}"
            found += [seen(f"v{trip}", t.isoformat(), "belgrade", trip)]
            found += [seen(f"v{trip}", (t + timedelta(hours=3)).isoformat(), "sid", trip)]
    flows = leg_flows(tracks(found).values())
    assert [(s.series, s.direction) for s in flows.shifts] == [("RS-HU", "down")]
    (fall,) = flows.shifts
    assert fall.at == date(2026, 3, 30) and 10 < fall.before < 14 and 1 < fall.after < 3
