"""The one clock of the product: the day orgraph treats as today.

`today()` is the date `ORGRAPH_TODAY` names (ISO, e.g. 2026-12-05) when that variable is set,
else the machine's date. Every "today" of the CLI, the importer, the engine, the API and the
dashboard comes from here, so a demo or a test run can fix the day once for all of them (the
test session sets it when it starts: tests/conftest.py); a run that crosses midnight then
still sees one day everywhere.

The variable is read from the environment on every call, not through `config.get_settings()`:
the settings are read once per process and cached, and the tests change this one with
`monkeypatch.setenv` between calls; the dashboard may import the client, the vocabulary, the
errors and this module, not the settings (tests/test_layers.py). Being environment-only, it
is not read from a `.env` file (README "Configuration").
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache

from orgraph.errors import ConfigError

VARIABLE = "ORGRAPH_TODAY"
# date.fromisoformat alone would also take 20261205 and 2026-W49-6
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def today() -> dt.date:
    """The product's today: ORGRAPH_TODAY when set (a malformed value is a ConfigError, never
    the machine's date in its place), else the machine's date."""
    raw = os.environ.get(VARIABLE)
    if raw is None or not raw.strip():
        return dt.date.today()
    return _parse(raw.strip())


@lru_cache(maxsize=8)
def _parse(raw: str) -> dt.date:
    try:
        if not _ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"无法识别的 {VARIABLE}: {raw!r}。应为 YYYY-MM-DD 格式的日期 (例如 2026-12-05)，"
            "或不设置 (使用本机日期)。"
            f"{VARIABLE} must be a date as YYYY-MM-DD (e.g. 2026-12-05), or unset for the "
            "machine's date."
        ) from None
