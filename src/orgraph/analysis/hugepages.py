"""numpy's huge-page advice, turned off for orgraph's processes.

numpy asks the kernel to back every array of 4 MB or more with transparent huge pages
(``madvise(MADV_HUGEPAGE)``). Under the kernel's usual setting for them
(``/sys/kernel/mm/transparent_hugepage/defrag`` = ``madvise``), a page fault in such an array
may first compact memory to find a huge page. An engine answering after writes allocates
household-sized temporaries on every recount, and in a city (953k households) their faults
became the answer's cost: after ~10 writes one ``np.bincount`` of the households went from
1 ms with no page fault to 30-95 ms with 300-1,200 faults, and the next answer after a
departure from ~75 to ~200 ms (docs/scale.md, "Answers after writes in a city"). Without the
advice the same 30 writes stay flat.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast


def _setter() -> Callable[[bool], bool] | None:
    """numpy's switch (private, in numpy since 1.20): numpy._core in numpy 2, numpy.core in
    1.26; None in a numpy without it (nothing to turn off)."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        setter = getattr(module, "_set_madvise_hugepage", None)
        if setter is not None:
            return cast(Callable[[bool], bool], setter)
    return None


def no_hugepage_advice() -> bool:
    """Turn numpy's huge-page advice off for this process; whether it was on."""
    setter = _setter()
    return bool(setter(False)) if setter is not None else False
