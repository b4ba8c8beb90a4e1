"""EXPLAIN (ANALYZE, BUFFERS) of a prepared statement, as a benchmark prints it: execution time,
buffers, the indexes read and the plan's shape on one line, custom and generic plans both."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg


def plan_shape(node: dict[str, Any]) -> str:
    """A plan tree on one line: ``Limit(Sort(Bitmap Heap Scan visit(...)))``."""
    label = node["Node Type"]
    if node.get("Subplan Name"):
        label = f"[{node['Subplan Name']}] {label}"
    if node.get("Sort Method"):
        label += f" [{node['Sort Method']}]"
    if node.get("Index Name"):
        label += f" {node['Index Name']}"
    elif node.get("Relation Name"):
        label += f" {node['Relation Name']}"
    if node.get("CTE Name"):
        label += f" {node['CTE Name']}"
    if node.get("Relation Name") == "visit" and "Actual Rows" in node:
        removed = int(node.get("Rows Removed by Filter", 0)) + int(
            node.get("Rows Removed by Index Recheck", 0)
        )
        label += f" <{int(node['Actual Rows']):,} rows"
        label += f", {removed:,} removed>" if removed else ">"
    children = node.get("Plans", [])
    if children:
        label += "(" + ", ".join(plan_shape(c) for c in children) + ")"
    return label


def plan_indexes(node: dict[str, Any]) -> list[str]:
    """Every index the plan reads."""
    names = [node["Index Name"]] if node.get("Index Name") else []
    for child in node.get("Plans", []):
        names += plan_indexes(child)
    return names


def sql_literal(value: Any) -> str:
    """A parameter value as a quoted SQL literal, for ``EXECUTE name(...)``."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


async def explain_plan(
    conn: asyncpg.Connection, sql: str, args: list[Any], generic: bool
) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of a prepared statement, forced to a custom or generic plan.

    asyncpg (the baseline and tortoise alike) prepares every statement; PostgreSQL plans the
    first five executions on a connection with the values (custom plans), then may settle on a
    generic plan made without them. EXPLAIN of a statement with parameters always shows the
    custom plan, so the statement is PREPAREd here and EXECUTEd with literals instead.
    """
    mode = "force_generic_plan" if generic else "force_custom_plan"
    await conn.execute(f"PREPARE bench_plan AS {sql}")
    try:
        await conn.execute(f"SET plan_cache_mode = {mode}")
        literals = ", ".join(sql_literal(a) for a in args)
        raw = await conn.fetchval(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE bench_plan({literals})"
        )
    finally:
        await conn.execute("RESET plan_cache_mode")
        await conn.execute("DEALLOCATE bench_plan")
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def plan_summary(result: dict[str, Any]) -> str:
    """Execution time, buffers and the indexes one EXPLAIN result reads."""
    plan = result["Plan"]
    indexes = sorted(set(plan_indexes(plan)))
    return (
        f"execution {result['Execution Time']:.2f} ms, estimated cost {plan['Total Cost']:,.0f}"
        f", shared buffers hit {plan.get('Shared Hit Blocks', 0):,} read "
        f"{plan.get('Shared Read Blocks', 0):,}; index used: "
        + (f"yes ({', '.join(indexes)})" if indexes else "no")
    )


async def explain(conn: asyncpg.Connection, title: str, sql: str, args: list[Any]) -> list[str]:
    """Both plans of one baseline query (the generic one printed only when its shape differs)."""
    custom = await explain_plan(conn, sql, args, generic=False)
    generic = await explain_plan(conn, sql, args, generic=True)
    lines = [
        f"  {title}",
        f"    custom plan (executions 1-5): {plan_summary(custom)}",
        f"      {plan_shape(custom['Plan'])}",
        f"    generic plan (forced, as from execution 6): {plan_summary(generic)}",
    ]
    if plan_shape(generic["Plan"]) != plan_shape(custom["Plan"]):
        lines.append(f"      {plan_shape(generic['Plan'])}")
    else:
        lines[-1] += "; same plan"
    return lines
