from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from demo_readback import AS_OF, Demo, load

from orgraph.demo import DemoSummary, generate


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo_tiny")
    return out, generate(out, scale="tiny", seed=11, as_of=AS_OF, with_errors=True)


@pytest.fixture(scope="session")
def tiny_demo(tiny: tuple[Path, DemoSummary]) -> Demo:
    return load(tiny[0], AS_OF)
