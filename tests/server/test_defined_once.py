"""``VisitStatus`` and ``Role`` are defined once, by the sync engine; the server uses those enums.

The engine's state machine is the lower layer (standard library only), so the server imports
from it; a second definition in ``server/`` would let the two drift apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sync
from server.org.models import Officer, Role
from server.visits.enums import VisitStatus
from server.visits.models import Visit

SERVER = Path(__file__).resolve().parents[2] / "server"


def test_server_enums_are_the_engines() -> None:
    assert VisitStatus is sync.VisitStatus
    assert Role is sync.Role
    assert Visit._meta.fields_map["status"].enum_type is sync.VisitStatus
    assert Officer._meta.fields_map["role"].enum_type is sync.Role


def test_no_module_in_server_defines_visit_status_or_role_again() -> None:
    again = [
        f"{path.relative_to(SERVER.parent)}:{node.lineno}"
        for path in sorted(SERVER.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name in {"VisitStatus", "Role"}
    ]
    assert again == []
