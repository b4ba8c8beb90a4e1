"""sync/ is a pure library: standard library imports only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SYNC_DIR = Path(__file__).resolve().parents[2] / "sync"


def test_sync_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted(SYNC_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level > 0 or node.module == "__future__":
                    continue
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_every_vector_file_is_a_json_object_with_cases() -> None:
    import json

    for path in (SYNC_DIR / "vectors").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        assert isinstance(data["cases"], list)
        for case in data["cases"]:
            assert set(case) <= {"comment", "function", "state", "input", "expected", "error"}
            assert ("expected" in case) != ("error" in case)
