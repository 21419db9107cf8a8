"""The FalkorDB adapter writes parameters into the query's CYPHER header itself, faster than
the falkordb client does (store/falkor.py `_literal`): the text must be the client's, value
for value, for every kind of value orgraph passes."""

from __future__ import annotations

from typing import Any

from falkordb.helpers import stringify_param_value
from hypothesis import given, settings
from hypothesis import strategies as st

from orgraph.store.falkor import _literal

# Strings with what needs escaping (quotes, backslashes), line breaks, Chinese, and empties.
TEXT = st.text(alphabet=st.sampled_from("ab\"\\\n\t 党员 '`{}:,[]0"), max_size=8)
KEYS = st.text(alphabet=st.sampled_from("abc_xyz"), min_size=1, max_size=5)
PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    PLAIN,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_a_value_is_written_as_the_falkordb_client_writes_it(value: Any) -> None:
    assert _literal(value) == stringify_param_value(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(KEYS, st.one_of(PLAIN, st.dictionaries(KEYS, PLAIN))), max_size=5))
def test_an_import_batch_is_written_as_the_falkordb_client_writes_it(rows: Any) -> None:
    assert _literal(rows) == stringify_param_value(rows)
