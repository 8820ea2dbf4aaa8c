"""Where a user is and which services cover them. Services here are fictional."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resource_bot.directory.catalog import Catalog, Listing
from resource_bot.directory.entries import PhoneEntry
from resource_bot.directory.geo import MILES_PER_DEGREE, miles_between
from resource_bot.directory.place_names import resolve_place_name
from resource_bot.directory.service_area import NATIONAL, AreaError, ServiceArea, parse_area
from resource_bot.directory.zip_index import MAX_MILES_FROM_ZIP, Place, place_from_location, place_from_zip, zip_index

# ---------------------------------------------------------------- ZIP codes


def test_a_zip_code_gives_city_state_county_and_time_zone() -> None:
    place = place_from_zip("77002")
    assert place is not None
    assert (place.city, place.state, place.county, place.timezone) == (
        "Houston",
        "TX",
        "Harris County",
        "America/Chicago",
    )
    assert place.label == "Houston, TX 77002"
    assert abs(place.latitude - 29.76) < 0.05 and abs(place.longitude + 95.36) < 0.05


@pytest.mark.parametrize("text", ["77002-1234", " 77002 ", "770021234", "77002 1234"])
def test_zip_plus_four_and_stray_spaces_are_accepted(text: str) -> None:
    place = place_from_zip(text)
    assert place is not None and place.zip == "77002"


@pytest.mark.parametrize("text", ["", "00000", "7700", "777777", "abcde", "77002-12", "Houston"])
def test_unknown_or_malformed_zip_codes_give_nothing(text: str) -> None:
    assert place_from_zip(text) is None


def test_military_post_office_codes_are_not_places() -> None:
    assert place_from_zip("09001") is None  # an APO code with no coordinates


def test_a_bad_time_zone_in_the_zip_data_is_repaired_from_its_neighbours() -> None:
    place = place_from_zip("99634")  # Napakiak, AK: zipcodes says timezone "Napakiak"
    assert place is not None and place.timezone == "America/Anchorage"


def test_the_label_leaves_out_what_is_unknown() -> None:
    assert Place(None, 29.76, -95.37, "Houston", "TX", None, None).label == "Houston, TX"
    assert Place(None, 29.76, -95.37, None, None, None, None).label == "29.76, -95.37"


# ---------------------------------------------------------------- shared locations


def test_a_location_in_houston_is_in_harris_county() -> None:
    place = place_from_location(29.760427, -95.369803)
    assert place is not None
    assert (place.city, place.state, place.county, place.timezone) == (
        "Houston",
        "TX",
        "Harris County",
        "America/Chicago",
    )


def test_a_shared_location_is_kept_only_to_about_a_kilometre() -> None:
    place = place_from_location(29.760427, -95.369803)
    assert place is not None
    assert (place.latitude, place.longitude) == (29.76, -95.37)


@pytest.mark.parametrize(
    "where", [(21.3069, -157.8583), (61.2181, -149.9003), (18.4655, -66.1057), (13.4443, 144.7937), (40.7128, -74.0060)]
)
def test_locations_in_hawaii_alaska_puerto_rico_guam_and_new_york_are_found(where: tuple[float, ...]) -> None:
    assert place_from_location(*where) is not None


@pytest.mark.parametrize(
    "where",
    [(51.5074, -0.1278), (19.4326, -99.1332), (0.0, 0.0), (-33.86, 151.2), (90.0, 0.0), (-90.0, 180.0), (35.0, -40.0)],
)
def test_locations_far_outside_the_us_give_nothing(where: tuple[float, float]) -> None:
    assert place_from_location(*where) is None


@pytest.mark.parametrize("where", [(math.nan, -95.0), (29.0, math.inf), (91.0, 0.0), (0.0, -181.0)])
def test_impossible_coordinates_give_nothing(where: tuple[float, float]) -> None:
    assert place_from_location(*where) is None


def test_the_grid_finds_the_same_nearest_zip_as_a_full_scan() -> None:
    indexed = list(zip_index().grid)
    rng = random.Random(7)
    for _ in range(60):
        lat, lon = round(rng.uniform(25, 49), 2), round(rng.uniform(-124, -67), 2)
        scanned = min(
            miles_between(lat, lon, zlat, zlon) + penalty * MILES_PER_DEGREE for zlat, zlon, penalty, _ in indexed
        )
        found = place_from_location(lat, lon)
        if scanned > MAX_MILES_FROM_ZIP:
            continue
        assert found is not None and found.zip is not None
        centroid = place_from_zip(found.zip)
        assert centroid is not None
        assert miles_between(lat, lon, centroid.latitude, centroid.longitude) <= scanned + 1.0


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
def test_any_coordinates_never_raise(latitude: float, longitude: float) -> None:
    place = place_from_location(latitude, longitude)
    assert place is None or (place.state is not None and place.zip is not None)


def test_miles_between_houston_and_dallas_is_about_225() -> None:
    assert 220 < miles_between(29.7604, -95.3698, 32.7767, -96.7970) < 230
    assert miles_between(29.76, -95.37, 29.76, -95.37) == 0


# ---------------------------------------------------------------- service areas

HOUSTON = place_from_zip("77002")
MANHATTAN = place_from_zip("10001")
AUSTIN = place_from_zip("78701")
assert HOUSTON and MANHATTAN and AUSTIN


def test_a_shelter_that_serves_harris_county_covers_77002_but_not_10001() -> None:
    test_shelter = parse_area({"counties": [{"state": "TX", "county": "Harris County"}]})
    assert HOUSTON and test_shelter.covers(HOUSTON)
    assert MANHATTAN and not test_shelter.covers(MANHATTAN)


@pytest.mark.parametrize("spelling", ["Harris County", "harris county", "Harris", "HARRIS COUNTY"])
def test_county_names_match_with_or_without_the_word_county(spelling: str) -> None:
    area = ServiceArea(national=False, counties=frozenset({("TX", spelling)}))
    assert HOUSTON and area.covers(HOUSTON)


def test_baltimore_city_and_baltimore_county_stay_different_places() -> None:
    city, county = place_from_zip("21202"), place_from_zip("21204")  # downtown; Towson
    assert city and county and city.county != county.county
    city_area = parse_area({"counties": [{"state": "MD", "county": "Baltimore city"}]})
    assert city_area.covers(city) and not city_area.covers(county)


def test_parishes_and_boroughs_match_without_their_suffix() -> None:
    new_orleans = place_from_zip("70112")
    orleans = parse_area({"counties": [{"state": "LA", "county": "Orleans"}]})
    assert new_orleans and orleans.covers(new_orleans)
    juneau = place_from_zip("99801")
    assert juneau and parse_area({"counties": [{"state": "AK", "county": "Juneau"}]}).covers(juneau)


def test_a_national_hotline_covers_everyone() -> None:
    assert parse_area("national") is NATIONAL and NATIONAL.is_national
    assert all(NATIONAL.covers(p) for p in (HOUSTON, MANHATTAN, AUSTIN) if p)
    assert NATIONAL.to_yaml() == "national"


def test_a_state_service_covers_its_state_only() -> None:
    area = parse_area({"states": ["TX", "OK"]})
    assert HOUSTON and AUSTIN and MANHATTAN
    assert area.covers(HOUSTON) and area.covers(AUSTIN) and not area.covers(MANHATTAN)


def test_a_zip_list_covers_those_zips() -> None:
    area = parse_area({"zips": ["77002", "77003"]})
    assert HOUSTON and AUSTIN and area.covers(HOUSTON) and not area.covers(AUSTIN)


def test_a_radius_covers_places_within_its_miles() -> None:
    area = parse_area({"radius": {"latitude": 29.7604, "longitude": -95.3698, "miles": 25}})
    assert HOUSTON and AUSTIN and area.covers(HOUSTON) and not area.covers(AUSTIN)
    assert area.radius == (29.7604, -95.3698, 25.0)


def test_a_radius_service_reaches_a_person_across_the_180th_meridian() -> None:
    # A made-up boat clinic in the western Aleutians; the person is 14 miles east, across the meridian.
    clinic = Listing(
        id="test-boat-clinic",
        name={"en": "Test Boat Clinic"},
        topics=("health",),
        area=ServiceArea(national=False, radius=(52.0, 179.8, 30.0)),
        phones=(PhoneEntry("907-555-0101"),),
    )
    person = Place(None, 52.0, -179.9, None, "AK", None, "America/Adak")
    assert [found.listing.id for found in Catalog([clinic]).local("health", person)] == ["test-boat-clinic"]


def test_any_part_of_an_area_is_enough() -> None:
    area = parse_area({"states": ["NY"], "zips": ["78701"]})
    assert MANHATTAN and AUSTIN and HOUSTON
    assert area.covers(MANHATTAN) and area.covers(AUSTIN) and not area.covers(HOUSTON)


def test_an_area_written_out_reads_back_the_same_even_through_json() -> None:
    area = parse_area(
        {
            "states": ["OK", "TX"],
            "counties": [{"state": "TX", "county": "harris"}],
            "zips": ["77002"],
            "radius": {"latitude": 29.76, "longitude": -95.37, "miles": 10},
        }
    )
    written = area.to_yaml()
    assert written == {
        "states": ["OK", "TX"],
        "counties": [{"state": "TX", "county": "Harris County"}],  # the zipcodes spelling
        "zips": ["77002"],
        "radius": {"latitude": 29.76, "longitude": -95.37, "miles": 10.0},
    }
    assert parse_area(json.loads(json.dumps(written))) == area


@pytest.mark.parametrize(
    ("area", "message"),
    [
        (None, "area is missing: write `area: national` or list states, counties, zips or a radius"),
        ({}, "area is missing"),
        ({"states": ["XX"]}, "unknown state 'XX': use a two-letter postal code like TX"),
        ({"states": ["Oklahoma"]}, "unknown state 'Oklahoma': use a two-letter postal code like OK"),
        ({"states": []}, "area states is empty"),
        ({"zips": ["00000"]}, "unknown ZIP code '00000': check it on the USPS site or remove it"),
        ({"zips": [2134]}, 'ZIP code 2134 must be in quotes, like "02134"'),
        ({"zips": ["7700"]}, "must be five digits"),
        ({"counties": [{"state": "TX", "county": "Atlantis County"}]}, "unknown county 'Atlantis County' in TX"),
        ({"counties": ["Harris County"]}, "needs a state and a name"),
        ({"radius": {"latitude": 29.76, "longitude": -95.37}}, "radius needs latitude, longitude and miles"),
        ({"radius": {"latitude": 29.76, "longitude": 95.37, "miles": 5}}, "is not in the United States"),
        ({"radius": {"latitude": 29.76, "longitude": -95.37, "miles": 0}}, "must be more than 0"),
        ({"cities": ["Houston"]}, "unknown area key 'cities': use states, counties, zips or radius"),
        ("everywhere", "write `area: national`"),
        (42, "area must be `national` or a mapping"),
    ],
)
def test_a_bad_area_says_what_is_wrong_and_how_to_fix_it(area: object, message: str) -> None:
    with pytest.raises(AreaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_area(area)


def test_area_errors_are_value_errors() -> None:
    assert issubclass(AreaError, ValueError)


# ---------------------------------------------------------------- place names from Open Referral data


def test_a_county_name_with_its_state_becomes_that_county() -> None:
    area = resolve_place_name("Harris County, TX")
    assert area == ServiceArea(national=False, counties=frozenset({("TX", "Harris County")}))


def test_a_county_name_unique_in_the_country_needs_no_state() -> None:
    area = resolve_place_name("Travis County")
    assert area and area.counties == frozenset({("TX", "Travis County")})


def test_a_state_hint_settles_a_county_name_shared_by_two_states() -> None:
    assert resolve_place_name("Harris County") is None  # Texas and Georgia both have one
    area = resolve_place_name("Harris County", state="GA")
    assert area and area.counties == frozenset({("GA", "Harris County")})


def test_a_city_becomes_the_set_of_its_zips() -> None:
    area = resolve_place_name("Austin, TX")
    assert area and "78701" in area.zips and "77002" not in area.zips
    assert AUSTIN and area.covers(AUSTIN)
    assert resolve_place_name("Austin, Texas") == area == resolve_place_name("Austin", state="TX")


def test_a_city_name_shared_by_several_states_needs_a_state() -> None:
    assert resolve_place_name("Austin") is None


@pytest.mark.parametrize("name", ["Texas", "TX", "texas", " Texas "])
def test_a_state_name_or_code_becomes_the_state(name: str) -> None:
    assert resolve_place_name(name) == ServiceArea(national=False, states=frozenset({"TX"}))


def test_a_zip_code_becomes_that_zip() -> None:
    assert resolve_place_name("78701") == ServiceArea(national=False, zips=frozenset({"78701"}))
    assert resolve_place_name("00000") is None


@pytest.mark.parametrize("name", ["", "   ", "Atlantis", "Springfield County, ZZ"])
def test_unknown_place_names_give_nothing(name: str) -> None:
    assert resolve_place_name(name) is None


def test_saint_and_st_are_the_same_city() -> None:
    assert resolve_place_name("Saint Louis, MO") == resolve_place_name("St. Louis, MO") is not None
