"""Pages name the client method they call; the cache keys it by that method's name."""

from __future__ import annotations

from typing import Any

import pytest

from orgraph.client import OrgraphClient
from orgraph_dashboard import session


def test_a_client_method_keys_by_its_name() -> None:
    assert session._method(OrgraphClient.coverage) == "coverage"
    assert session._method(OrgraphClient.area_children) == "area_children"


def test_anything_else_is_refused() -> None:
    # a wrapper would cache its answers under a name that is not the endpoint's
    def coverage(c: OrgraphClient, **kw: Any) -> Any:
        return c.coverage(**kw)

    for call in (coverage, lambda c: c.tree()):
        with pytest.raises(TypeError, match="not a method of OrgraphClient"):
            session._method(call)


def test_arguments_go_by_keyword() -> None:
    with pytest.raises(TypeError, match="keyword"):
        session.fetch(OrgraphClient.gaps, "household_uncovered")
