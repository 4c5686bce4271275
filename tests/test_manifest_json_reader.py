"""The manifest's JSON lines are parsed by orjson for speed; whatever a line holds, the
result (the object, or the one-line reason it is refused) is what Python's own parser gave,
including what only Python accepts: NaN, huge numbers, lone surrogate escapes."""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.manifest import BadLine, read_jsonl

_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
_value = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _python_reading(raw: bytes) -> object:
    """What the reader gave before orjson: the object, or the refusal's message."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "invalid UTF-8"
    except RecursionError:
        return "invalid JSON (nested too deeply)"
    except ValueError:
        return "invalid JSON"
    return obj if isinstance(obj, dict) else "not a JSON object"


def _check(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(raw + b"\n")
    got = list(read_jsonl(path))
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is not part of the line
    want = _python_reading(raw)
    if not raw.strip():
        assert got == []
        return
    [(lineno, item)] = got
    assert lineno == 1
    if isinstance(want, str):
        assert isinstance(item, BadLine) and str(item).startswith(want), (raw, item)
    else:
        assert not isinstance(item, BadLine) and _same(item, want), (raw, item, want)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _value, max_size=5))
def test_objects_read_as_python_reads_them(tmp_path_factory, obj):
    _check(tmp_path_factory.mktemp("j"), json.dumps(obj, ensure_ascii=bool(len(obj) % 2)).encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_any_bytes_read_as_python_reads_them(tmp_path_factory, junk):
    _check(tmp_path_factory.mktemp("j"), junk.replace(b"\n", b" ").replace(b"\r", b" "))


def test_what_only_python_accepts_still_reads(tmp_path):
    for raw in (
        b'{"audio": "a.wav", "duration": NaN}',
        b'{"audio": "a.wav", "n": 123456789012345678901234567890}',
        b'{"audio": "a\\ud800.wav"}',
        b'{"audio": "a.wav", "x": 1e400}',
        b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    ):
        _check(tmp_path, raw)
