"""JsonCursor.values tops its buffer up before a chunk ends: elements of every size around the
refill threshold and the chunk size still decode whole, in order, and errors keep their offsets."""

import io
import json
from typing import Any

import pytest

from aspm.ingest.formats import _json_cursor
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError


def _values(text: str, chunk: int) -> list[Any]:
    cursor = JsonCursor(io.BytesIO(text.encode("utf-8")), chunk_size=chunk)
    cursor.expect("{")
    assert cursor.value() == "items"
    cursor.expect(":")
    out = list(cursor.values())
    cursor.expect("}")
    cursor.end()
    return out


def _items() -> list[Any]:
    refill = _json_cursor._REFILL_BELOW
    sizes = [10, 900, refill - 50, refill, refill + 50, 3 * refill, 7, 1, 12_345, 70]
    return [
        {"n": i, "pad": "é" * (size // 2) + "x" * (size - size // 2), "num": 1.5e10 + i}
        for i, size in enumerate(sizes * 3)
    ] + [12345678, 0.5, "tail"]


@pytest.mark.parametrize("separator", [",", ",\n", " , "])
@pytest.mark.parametrize(
    "chunk", [1 << 20, _json_cursor._REFILL_BELOW + 7, _json_cursor._REFILL_BELOW // 3, 4096]
)
def test_elements_around_the_refill_threshold_decode_whole(chunk: int, separator: str) -> None:
    items = _items()
    text = '{"items": [' + separator.join(json.dumps(i) for i in items) + "]}"
    assert _values(text, chunk) == items


def test_an_error_after_a_refill_names_its_offset_in_the_document() -> None:
    good = ",".join(json.dumps({"pad": "x" * 1000}) for _ in range(200))
    text = '{"items": [' + good + ", tru]}"
    with pytest.raises(JsonStreamError) as caught:
        _values(text, _json_cursor._REFILL_BELOW + 7)
    assert caught.value.offset == text.index("tru]")
