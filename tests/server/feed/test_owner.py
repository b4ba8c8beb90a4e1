"""The change feed has one owner: nothing outside ``server/feed`` writes its tables.

Revisions, the change counter, scope exits and every record's ``version`` belong to
``server.feed``; other modules record changes through ``server.feed.record_changes`` and read
through the package's own functions. This test fences that, as ``tests/sync/test_purity.py``
fences the sync engine.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SERVER = Path(__file__).resolve().parents[3] / "server"
FEED = SERVER / "feed"
MIGRATIONS = SERVER / "migrations"
# The feed's own names: its tables' models and its version allocator.
FEED_PRIVATE_NAMES = {"Revision", "ChangeCounter", "ScopeExit", "take_next_versions"}
FEED_TABLES = re.compile(r"\b(change_counter|scope_exit|revision)\b")
SQL_WORDS = re.compile(r"\b(INSERT|UPDATE|DELETE|FROM|INTO|TRUNCATE)\b")


def _modules_outside_the_feed() -> list[Path]:
    return [
        path
        for path in sorted(SERVER.rglob("*.py"))
        if FEED not in path.parents and MIGRATIONS not in path.parents
    ]


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.name if SERVER not in path.parents else path.relative_to(SERVER.parent)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("server.feed."):
            found.append(f"{where}:{node.lineno} imports {node.module} (use server.feed)")
        elif isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno} imports {alias.name} (use server.feed)"
                for alias in node.names
                if alias.name.startswith("server.feed.")
            ]
        elif (
            isinstance(node, ast.Name | ast.alias)
            and (getattr(node, "id", None) or getattr(node, "name", None)) in FEED_PRIVATE_NAMES
        ):
            name = getattr(node, "id", None) or getattr(node, "name", None)
            found.append(f"{where}:{getattr(node, 'lineno', '?')} uses {name}")
        elif isinstance(node, ast.Call):
            func = node.func
            sets_version = any(k.arg == "version" for k in node.keywords)
            if isinstance(func, ast.Attribute) and func.attr == "update" and sets_version:
                found.append(f"{where}:{node.lineno} sets a record's feed version")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if SQL_WORDS.search(text) and FEED_TABLES.search(text):
                found.append(f"{where}:{node.lineno} writes SQL on a feed table")
    return found


def test_only_the_feed_writes_revisions_counter_scope_exits_and_versions() -> None:
    offences = [o for path in _modules_outside_the_feed() for o in _offences(path)]
    assert offences == []


def test_the_fence_catches_a_writer_outside_the_feed(tmp_path: Path) -> None:
    rogue = tmp_path / "rogue_writer.py"
    rogue.write_text(
        "from server.feed.models import Revision\n"
        "from server.feed.versions import take_next_versions\n"
        "async def f(c):\n"
        "    await take_next_versions(c, 1)\n"
        "    await Visit.filter(id=1).update(version=3)\n"
        "    await c.execute_query('UPDATE change_counter SET value = value + 1')\n",
        encoding="utf-8",
    )
    offences = _offences(rogue)
    assert len(offences) >= 5, offences
