"""JSON value typing, validation, canonical serialisation and equality.

Canonical form follows RFC 8785 (JCS) so the TypeScript client can produce the
same bytes with JSON.stringify plus sorted keys: numbers are written the way
ECMAScript writes them, object keys are sorted by UTF-16 code units, strings
are escaped like JSON.stringify and never ASCII-escaped.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import TypeAlias

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
JSONObject: TypeAlias = dict[str, JSONValue]

# Beyond this, JavaScript numbers lose integer precision, so larger ints are
# treated as the double JS would read, or phone and server would disagree.
MAX_SAFE_INTEGER = 2**53 - 1

# Guards recursion on hostile input; real visit data is far shallower.
MAX_NESTING = 32


class CanonicalError(ValueError):
    """Raised when a value cannot be represented as interoperable JSON."""

    def __init__(self, reason: str, where: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.where = where


def normalise_json(value: object, where: str = "value", depth: int = 0) -> JSONValue:
    """Validate a JSON value and return it with integral floats made ints."""
    if depth > MAX_NESTING:
        raise CanonicalError("nested too deeply", where)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return _int_as_double(value, where)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalError("number is not finite", where)
        # JSON has one number type: 1.0 and 1 are the same value, and JS cannot
        # tell them apart, so store the integer form.
        if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
            return int(value)
        return value
    if isinstance(value, str):
        _check_string(value, where)
        return value
    if isinstance(value, (list, tuple)):
        return [normalise_json(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, dict):
        out: JSONObject = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("object key is not a string", where)
            _check_string(key, where)
            out[key] = normalise_json(item, f"{where}.{key}", depth + 1)
        return out
    raise CanonicalError(f"not a JSON value ({type(value).__name__})", where)


def _int_as_double(value: int, where: str = "value") -> float:
    # A JSON number is a double to the TypeScript client, so an integer past
    # 2^53 means the nearest double there; use the same value here.
    try:
        return float(value)
    except OverflowError:
        raise CanonicalError("number is too large", where) from None


def _check_string(value: str, where: str) -> None:
    # Lone surrogates cannot be encoded as UTF-8, so they cannot be digested.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError("string contains a lone surrogate", where) from None


def format_number(value: int | float) -> str:
    """Write a number exactly as ECMAScript Number.prototype.toString does."""
    if isinstance(value, bool):
        raise CanonicalError("boolean is not a number", "value")
    if isinstance(value, int):
        if abs(value) <= MAX_SAFE_INTEGER:
            return str(value)
        value = _int_as_double(value)
    if not math.isfinite(value):
        raise CanonicalError("number is not finite", "value")
    if value == 0:
        return "0"  # also -0, as JSON.stringify(-0) gives "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-tripping digits, the same digits JS picks.
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(str(d) for d in digit_tuple).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _utf16_key(key: str) -> bytes:
    # RFC 8785 sorts by UTF-16 code units, which differs from code point order
    # only above U+FFFF; big-endian UTF-16 bytes compare in code unit order.
    return key.encode("utf-16-be", "surrogatepass")


def _write(value: object, out: list[str], depth: int) -> None:
    if depth > MAX_NESTING:
        raise CanonicalError("nested too deeply", "value")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, (int, float)):
        out.append(format_number(value))
    elif isinstance(value, str):
        _check_string(value, "value")
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        keys = list(value.keys())
        for key in keys:
            if not isinstance(key, str):
                raise CanonicalError("object key is not a string", "value")
            _check_string(key, "value")
        for i, key in enumerate(sorted(keys, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out, depth + 1)
        out.append("}")
    else:
        raise CanonicalError(f"not a JSON value ({type(value).__name__})", "value")


def _written(value: object) -> str:
    # The canonical writer itself: every value, every rule of the module docstring.
    out: list[str] = []
    _write(value, out, 0)
    return "".join(out)


def _plain(value: object, depth: int = 0) -> bool:
    """Whether ``json.dumps`` writes ``value`` exactly as ``_written`` does.

    True for what queued mutations nearly always hold: strings, safe integers, booleans,
    null, and lists and objects of them with ASCII keys, not nested too deeply. There the
    two writers agree by construction: strings are escaped by the same ``json.dumps``, safe
    integers are their decimal digits in both, and ASCII keys sort the same by code point as
    by UTF-16 code unit. Anything else (floats, non-ASCII keys, huge integers, subclasses)
    goes to ``_written``. ``tests/sync/test_canonical_fast.py`` checks the two agree on the
    shared vectors and on generated values.
    """
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return True
    if kind is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER  # type: ignore[operator]
    if depth >= MAX_NESTING:
        return False
    if kind is list or kind is tuple:
        return all(_plain(item, depth + 1) for item in value)  # type: ignore[attr-defined]
    if kind is dict:
        return all(
            type(key) is str and key.isascii() and _plain(item, depth + 1)
            for key, item in value.items()  # type: ignore[attr-defined]
        )
    return False


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def _canonical_bytes(value: object) -> tuple[str, bytes]:
    """The canonical text and its UTF-8 bytes: by the C encoder when ``_plain``."""
    if _plain(value):
        text = _dumps(value)
        try:
            return text, text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: _written raises the right error
    text = _written(value)
    return text, text.encode("utf-8")


def canonical_json(value: object) -> str:
    """Serialise a JSON value canonically (RFC 8785 style, no whitespace)."""
    return _canonical_bytes(value)[0]


def canonical_digest(value: object) -> str:
    """SHA-256 hex of the UTF-8 canonical JSON of a value."""
    return hashlib.sha256(_canonical_bytes(value)[1]).hexdigest()


def json_equal(a: object, b: object) -> bool:
    """Compare two JSON values as JSON does (1 == 1.0, true != 1, order of keys ignored)."""
    if a is b:
        return True
    return canonical_json(a) == canonical_json(b)
