"""numpy's huge-page advice is off in every process that holds a projection: with it, a
city engine's answers after writes grew from ~75 to ~200 ms over 30 writes, their time in
page faults of household-sized temporaries (analysis/hugepages.py, docs/scale.md)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_projection_turns_numpys_huge_page_advice_off() -> None:
    # a new interpreter: this one's setting is whatever earlier tests left
    probe = (
        "from orgraph.analysis.hugepages import _setter\n"
        "setter = _setter()\n"
        "before = setter(False)\n"  # numpy's own default (on, on Linux)
        "setter(before)\n"  # back as numpy set it
        "import orgraph.analysis.projection\n"
        "print(before, setter(False))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["True", "False"], out  # on by numpy's default, off once imported
