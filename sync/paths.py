"""Dotted field paths: validation, flatten and unflatten.

Records travel and merge as flat maps {"victim.name": "Ann"} so that two
devices editing different leaves of one section never collide. Lists are leaf
values: they are never indexed by path, and a list is replaced as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .canonical import JSONObject, JSONValue
from .errors import SyncError

SEGMENT_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_PATH_DEPTH = 4
MAX_PATH_LENGTH = 128


def validate_path(path: object, field: str = "path") -> str:
    """Return `path` if it is a valid dotted path, else raise `invalid_path`."""

    def fail(reason: str) -> SyncError:
        shown: JSONValue = path if isinstance(path, str) else None
        return SyncError(
            "invalid_path",
            f"{field}: {reason}",
            {"field": field, "path": shown, "reason": reason},
        )

    if not isinstance(path, str):
        raise fail("path is not a string")
    reason = _problem(path)
    if reason is not None:
        raise fail(reason)
    return path


def path_ok(path: object) -> bool:
    """Whether ``validate_path`` would accept ``path`` (cached; builds no message)."""
    return isinstance(path, str) and _problem(path) is None


@lru_cache(maxsize=4096)
def _problem(path: str) -> str | None:
    # Cached: the same few hundred schema paths are checked for every mutation and again
    # when records are validated; a hostile stream of new paths only churns the cache.
    if not path:
        return "path is empty"
    if len(path) > MAX_PATH_LENGTH:
        return f"path is longer than {MAX_PATH_LENGTH} characters"
    segments = path.split(".")
    if len(segments) > MAX_PATH_DEPTH:
        return f"path is deeper than {MAX_PATH_DEPTH} segments"
    for segment in segments:
        # ASCII-only, lower-case, leading letter: unambiguous in every language
        # and leaves "_"-prefixed keys free for directives such as "_resolve".
        if not SEGMENT_RE.match(segment):
            return f"segment {segment!r} must match [a-z][a-z0-9_]*"
    return None


def find_prefix_collision(
    paths: Iterable[str], existing: Iterable[str] = ()
) -> tuple[str, str] | None:
    """Return a pair (a, b) where a is a strict prefix of b, or None."""
    # "victim" and "victim.name" cannot both be leaves: unflatten would need
    # "victim" to be a value and an object at once.
    new = list(paths)
    existing_set = set(existing)
    all_paths = existing_set | set(new)
    for path in new:
        dot = path.find(".")
        while dot != -1:  # each strict prefix, shortest first
            if path[:dot] in all_paths:
                return path[:dot], path
            dot = path.find(".", dot + 1)
    if not existing_set:
        # Every pair the loop below could find has its longer path in `new`, and the loop
        # above has already looked at every prefix of those.
        return None
    new_set = set(new)
    for other in all_paths:
        dot = other.find(".")
        while dot != -1:
            if other[:dot] in new_set:
                return other[:dot], other
            dot = other.find(".", dot + 1)
    return None


def check_no_collision(
    paths: Iterable[str], existing: Iterable[str] = (), field: str = "fields"
) -> None:
    """Raise `invalid_path` if a path is a strict prefix of another."""
    hit = find_prefix_collision(paths, existing)
    if hit is not None:
        prefix, longer = hit
        raise SyncError(
            "invalid_path",
            f"{field}: {prefix!r} is both a value and the parent of {longer!r}",
            {"field": field, "path": prefix, "reason": "prefix_collision"},
        )


def flatten(nested: Mapping[str, JSONValue]) -> JSONObject:
    """Turn a nested object into a flat {dotted.path: leaf} map (empty objects vanish)."""
    flat: JSONObject = {}

    def walk(prefix: str, value: Mapping[str, JSONValue]) -> None:
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(item, dict):
                walk(path, item)
            else:
                flat[validate_path(path)] = item

    walk("", nested)
    return flat


def unflatten(flat: Mapping[str, JSONValue]) -> JSONObject:
    """Turn a flat {dotted.path: leaf} map back into a nested object."""
    for path in flat:
        validate_path(path)
    check_no_collision(flat.keys())
    nested: JSONObject = {}
    for path in sorted(flat):
        *parents, leaf = path.split(".")
        node = nested
        for segment in parents:
            child = node.setdefault(segment, {})
            assert isinstance(child, dict)  # guaranteed by the collision check
            node = child
        node[leaf] = flat[path]
    return nested
