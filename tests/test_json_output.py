"""The C-speed report writer is json.dumps(value, indent=2), byte for byte, whatever the value."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_access.cli import json_output

SCALARS = st.one_of(
    st.text(), st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.none(), st.floats()
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
        | st.dictionaries(st.integers(), children, max_size=2)
    ),  # non-string keys: json.dumps decides
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_any_value_is_written_exactly_as_json_dumps_indent_2(value):
    expected = json.dumps(value, indent=2)
    assert json_output.dumps(value) == expected
    stream = io.StringIO()
    json_output.write(value, stream)
    assert stream.getvalue() == expected + "\n"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([], id="empty-list"),
        pytest.param({}, id="empty-object"),
        pytest.param(
            [{"arn": "arn:aws:iam::111122223333:role/a", "reason": 'é \u2028 "q" \\ \n'}], id="escapes"
        ),
        pytest.param([{"a": [], "b": {}, "c": [1, True, None]}], id="nested-empties"),
        pytest.param([{"n": 1.5}], id="float-falls-back"),
        pytest.param({1: "x"}, id="int-key-falls-back"),
        pytest.param(("a", ("b",)), id="tuples-as-lists"),
    ],
)
def test_edge_values_match_json_dumps(value):
    assert json_output.dumps(value) == json.dumps(value, indent=2)
