"""The gazetteer: names in every script of the route, coordinates, and no guessing."""

import pytest

from counterflow.routes.gazetteer import Gazetteer, distance_km

G = Gazetteer()


@pytest.mark.parametrize(
    ("text", "key", "how"),
    [
        ("Belgrade", "belgrade", "name"),
        ("Београд", "belgrade", "local"),  # Serbian Cyrillic
        ("Beograd", "belgrade", "local"),  # its Latin spelling
        ("Гевгелија", "gevgelija", "name"),  # Macedonian Cyrillic, latinised as written in Latin
        ("Ειδομένη", "idomeni", "name"),  # Greek, likewise
        ("Evros", "evros", "alias"),
        ("Orestiada (Evros)", "evros", "name"),
        ("Istanbul Kumkapı", "kumkapi", "name"),
        ("BIHAĆ", "bihac", "name"),
        ("near Loon-Plage, by the canal", "loon_plage", "contained"),
    ],
)
def test_names_in_any_script(text, key, how):
    found = G.by_name(text)
    assert found is not None and found.place.key == key and found.how == how


@pytest.mark.parametrize("text", ["Paris", "", "the park", "Belgrade or Zagreb", "Šid?"[:1]])
def test_unknown_or_ambiguous_places_are_not_guessed(text):
    assert G.by_name(text) is None


def test_coordinates_match_only_nearby():
    cam = G.nearest(51.181, 3.089)  # an ANPR camera at the Jabbeke parking
    assert cam is not None and cam.place.key == "jabbeke" and cam.distance_km < 1
    assert G.nearest(48.8566, 2.3522) is None  # Paris: no route place within 15 km
    assert G.nearest(95.0, 10.0) is None
    assert G.geocode("nowhere", 44.809, 20.456).place.key == "belgrade"


def test_distance_is_haversine():
    # Belgrade to Zagreb is about 367 km as the crow flies.
    assert distance_km(44.8090, 20.4560, 45.8150, 15.9819) == pytest.approx(367, abs=5)
