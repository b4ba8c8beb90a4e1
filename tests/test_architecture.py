"""Which part may import which (``docs/architecture.md``), enforced as the sync engine's
purity is in ``tests/sync/test_purity.py``.

Every module of ``server/`` belongs to one layer; it may import its own layer and the layers
below, never above. Imports only needed for type checking (``if TYPE_CHECKING:``) are free.
Within the domain layers the order is strict too, so packages cannot import in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module's layer is its longest matching prefix; "*.routes" is the HTTP edge.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("engine", ("sync",)),
    (
        "foundation",
        (
            "server.settings",
            "server.clock",
            "server.errors",
            "server.validation",
            "server.logs",
            "server.db",
            "server.db_roles",
            "server.s3",
            "server.rows",
            "server.pgclient",
            "server.observability",
            "server.middleware",
            "server.paging",
        ),
    ),
    ("audit", ("server.audit",)),
    ("identity", ("server.org.models", "server.auth.principal", "server.auth.scope")),
    ("context", ("server.context",)),
    ("feed", ("server.feed",)),
    ("accounts", ("server.org", "server.auth")),
    ("catalogue", ("server.advice",)),
    ("visits", ("server.visits",)),
    ("photos", ("server.photos",)),
    ("reports", ("server.reports",)),
    ("aftercare", ("server.aftercare",)),
    ("syncing", ("server.syncing",)),
    ("retention", ("server.retention",)),
    ("oversight", ("server.oversight",)),
    ("supervision", ("server.supervision",)),
    ("exports", ("server.exports",)),
    ("edge", ("server.api", "server.openapi", "server.health", "server.static", "*.routes")),
    (
        "composition",
        (
            "server.app",
            "server.asgi",
            "server.cli",
            "server.cli_orm",
            "server.cli_reports",
            "server.demo",
        ),
    ),
]


def layer_of(module: str) -> int:
    """The index of a module's layer (by longest prefix; routes modules are the edge)."""
    if module.endswith(".routes"):
        return next(i for i, (name, _) in enumerate(LAYERS) if name == "edge")
    best, length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the docs")
    return best


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in {"server", "sync"}]


def _violations(sources: list[tuple[Path, str]]) -> list[str]:
    problems = []
    for path, module in sources:
        mine = layer_of(module)
        for line, imported in _imports(path):
            if imported in {"server", "sync"}:
                continue
            theirs = layer_of(imported)
            if theirs > mine:
                problems.append(
                    f"{module}:{line} ({LAYERS[mine][0]}) imports {imported} ({LAYERS[theirs][0]})"
                )
    return problems


def _sources() -> list[tuple[Path, str]]:
    return [
        (path, _module_name(path))
        for folder in ("server", "sync")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts and _module_name(path) not in {"server", "sync"}
    ]


def test_every_module_imports_only_its_layer_and_below() -> None:
    assert _violations(_sources()) == []


def test_the_layer_rule_catches_an_upward_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from server.visits.models import Visit\n", encoding="utf-8")
    problems = _violations([(probe, "server.feed.probe")])
    assert len(problems) == 1
    assert "imports server.visits.models" in problems[0]
