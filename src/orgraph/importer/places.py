"""Destination places as external areas: the rows `upsert_places` writes for a division code."""

from __future__ import annotations

from typing import Any

from orgraph.roster.geocode import city_of, place_by_code


def place_rows(code: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    """A division code → (the placed code, upsert_places rows: the city first, then the place).
    (None, []) when the packaged table does not know the code."""
    if not code:
        return None, []
    place = place_by_code(code)
    if place is None:
        return None, []
    rows = []
    city = city_of(place.code6)
    if city is not None:
        rows.append(
            {
                "code": city.code6,
                "name": city.name,
                "level": "city",
                "lon": city.lon,
                "lat": city.lat,
                "province": city.province,
                "parent": city.code6,
            }
        )
    if city is None or place.code6 != city.code6:
        rows.append(
            {
                "code": place.code6,
                "name": place.name,
                "level": place.level,
                "lon": place.lon,
                "lat": place.lat,
                "province": place.province,
                "parent": city.code6 if city else place.code6,
            }
        )
    return place.code6, rows
