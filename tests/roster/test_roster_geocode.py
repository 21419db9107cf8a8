from __future__ import annotations

import subprocess
import sys

import pytest

from orgraph.roster.geocode import city_of, geocode, known_codes, place_by_code


@pytest.mark.parametrize(
    ("text", "code", "level", "city_code"),
    [
        ("义乌", "330782", "county", "330700"),
        ("浙江义乌", "330782", "county", "330700"),
        ("福建晋江", "350582", "county", "350500"),
        ("东莞长安镇", "441900", "city", "441900"),
        ("广东东莞长安镇", "441900", "city", "441900"),
        ("广东省东莞市长安镇", "441900", "city", "441900"),
        ("上海浦东", "310115", "county", "310000"),
        ("上海", "310000", "city", "310000"),
        ("北京朝阳", "110105", "county", "110000"),
        ("深圳", "440300", "city", "440300"),
        ("广东省深圳市宝安区福永镇", "440306", "county", "440300"),
        ("宁波鄞州", "330212", "county", "330200"),
        ("江苏昆山", "320583", "county", "320500"),
        ("新疆乌鲁木齐", "650100", "city", "650100"),
        ("吉林省吉林市", "220200", "city", "220200"),
        ("湖北仙桃", "429004", "county", "429004"),
        ("南京鼓楼", "320106", "county", "320100"),
        ("330782", "330782", "county", "330700"),
        ("330782001", "330782", "county", "330700"),
        ("330782001001", "330782", "county", "330700"),
        ("441900003", "441900", "city", "441900"),
    ],
)
def test_geocode(text: str, code: str, level: str, city_code: str) -> None:
    p = geocode(text)
    assert p is not None, text
    assert (p.code6, p.level, p.city_code) == (code, level, city_code)
    assert p.lon is not None and p.lat is not None
    assert 73 < p.lon < 136 and 3 < p.lat < 54


@pytest.mark.parametrize(
    "text", ["", "火星", "国外", "日本东京", "广东", "朝阳", "鼓楼区", "长安镇", "12345", "999999"]
)
def test_unknown_or_ambiguous(text: str) -> None:
    assert geocode(text) is None


def test_city_of() -> None:
    c = city_of("330782")
    assert c is not None and (c.code6, c.name, c.province) == ("330700", "金华市", "浙江省")
    bj = city_of("110105")
    assert bj is not None and (bj.code6, bj.name) == ("110000", "北京市")
    assert city_of("441900") is not None and city_of("441900").code6 == "441900"  # type: ignore[union-attr]
    assert city_of("429004").code6 == "429004"  # type: ignore[union-attr]
    assert city_of("990000") is None


def test_place_by_code_and_table() -> None:
    assert place_by_code("abc") is None
    assert "330782" in known_codes() and len(known_codes()) > 3000


def test_no_pandas_import() -> None:
    code = (
        "import sys; from orgraph.roster import geocode, parse_file; geocode('浙江义乌'); "
        "assert 'pandas' not in sys.modules and 'cpca.matcher' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
