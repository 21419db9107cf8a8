"""The environment of a process a test starts with none of the settings of the shell."""

from __future__ import annotations

import os


def without_settings() -> dict[str, str]:
    """os.environ without its ORGRAPH_* settings (the test sets those it means), except the
    day the test session pinned (ORGRAPH_TODAY, tests/conftest.py): the process must treat
    the same day as today as the test that checks what it did."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith("ORGRAPH_") or k == "ORGRAPH_TODAY"
    }
