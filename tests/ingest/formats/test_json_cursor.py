"""JsonCursor: the walk agrees with json.loads at any chunk size, and errors say where."""

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def _cursor(text: str, chunk: int) -> JsonCursor:
    return JsonCursor(io.BytesIO(text.encode("utf-8")), chunk_size=chunk)


def _walk(cursor: JsonCursor) -> dict[str, Any]:
    """Read {"skipped": ..., "items": [...], "kept": ...} the way the format modules do."""
    out: dict[str, Any] = {}
    for key in cursor.members():
        if key == "items":
            out[key] = list(cursor.values())
        elif key == "skipped":
            cursor.skip()
        elif key == "walked":
            out[key] = [cursor.value() for _ in cursor.elements()]
        else:
            out[key] = cursor.value()
    cursor.end()
    return out


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(_VALUES, max_size=6),
    other=_VALUES,
    indent=st.sampled_from([None, 0, 2, "\t"]),
    chunk=st.sampled_from([1, 2, 3, 7, 64, 1 << 20]),
)
def test_walk_matches_json_loads_at_any_chunk_size(
    items: list[Any], other: Any, indent: int | str | None, chunk: int
) -> None:
    doc = {"skipped": other, "items": items, "walked": items, "kept": other}
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    assert _walk(_cursor(text, chunk)) == {"items": items, "walked": items, "kept": other}


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_multibyte_characters_split_across_chunks(chunk: int) -> None:
    text = json.dumps({"items": ["é" * 3, "日本語", "🔒x"], "kept": "ü"}, ensure_ascii=False)
    assert _walk(_cursor(text, chunk)) == {"items": ["é" * 3, "日本語", "🔒x"], "kept": "ü"}


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"items": [1, 2', "expected"),
        ('{"items": [{"a": 1}, {"a": ', "expected a JSON value"),
        ('{"items": [1 2]}', "expected ',' or ']'"),
        ('{"items": [1,]}', "expected a JSON value"),
        ('{"kept": "unterminated', "Unterminated string"),
        ('{"kept": tru}', "expected a JSON value"),
        ('{"kept": 1} trailing', "after the end of the JSON document"),
        ('{"kept" 1}', "expected ':'"),
        ("{kept: 1}", "expected an object key"),
    ],
)
def test_malformed_documents_raise_with_an_offset(text: str, message: str, chunk: int) -> None:
    with pytest.raises(JsonStreamError, match=message) as info:
        _walk(_cursor(text, chunk))
    assert 0 <= info.value.offset <= len(text)


def test_invalid_utf8_is_reported_without_quoting_the_bytes() -> None:
    cursor = JsonCursor(io.BytesIO(b'{"kept": "\xff\xfe secret"}'))
    with pytest.raises(JsonStreamError, match="not valid UTF-8") as info:
        _walk(cursor)
    assert "secret" not in str(info.value)


def test_error_messages_never_quote_the_document() -> None:
    with pytest.raises(JsonStreamError) as info:
        _walk(_cursor('{"kept": "AKIAIOSFODNN7EXAMPLE" "x"}', 4))
    assert "AKIA" not in str(info.value)


def test_large_value_spanning_many_chunks_is_read_whole() -> None:
    big = {"rules": [{"id": f"R{i}", "text": "x" * 50} for i in range(2000)]}
    text = json.dumps({"kept": big, "items": [1]})
    assert _walk(_cursor(text, 256)) == {"kept": big, "items": [1]}
