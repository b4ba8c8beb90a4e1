"""How many statements a push sends to PostgreSQL, and which of them hold the feed's lock.

Not a timing: a count, so a change that brings back a statement per record (or per row) fails
here rather than only in ``bench/sync_bench.py``. A push of 100 mutations (80 new visits, 20
edits of existing ones) sent 36 statements before the set-based writes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest

from harness.phone import Phone, new_id
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement asyncpg sends while inside (BEGIN and COMMIT included)."""
    sent: list[str] = []
    cls = asyncpg.connection.Connection
    execute, extended, many = cls.execute, cls._execute, cls._executemany

    async def counted_execute(self: Any, query: str, *args: Any, **kw: Any) -> Any:
        if not args:  # with arguments it goes on to _execute, counted there
            sent.append(query)
        return await execute(self, query, *args, **kw)

    async def counted_extended(self: Any, query: str, *args: Any, **kw: Any) -> Any:
        sent.append(query)
        return await extended(self, query, *args, **kw)

    async def counted_many(self: Any, query: str, *args: Any, **kw: Any) -> Any:
        sent.append(query)
        return await many(self, query, *args, **kw)

    cls.execute, cls._execute, cls._executemany = counted_execute, counted_extended, counted_many
    try:
        yield sent
    finally:
        cls.execute, cls._execute, cls._executemany = execute, extended, many


async def test_a_push_of_100_mutations_is_a_handful_of_statements(
    backend: str, enrolled: Enrolled
) -> None:
    if backend != "postgres":
        pytest.skip("counts PostgreSQL statements")
    officer = await enrolled()
    phone = Phone(officer.client)
    existing = [new_id() for _ in range(20)]
    first = await phone.push(*(phone.mutation("visits", v, {"victim.name": "A"}) for v in existing))
    assert first.status_code == 200
    edit = {"victim.phone": "07700 900123"}
    batch = [phone.mutation("visits", v, edit, base_rev=1) for v in existing]
    batch += [phone.mutation("visits", new_id(), {"victim.name": "B"}) for _ in range(80)]
    with statements() as sent:
        answer = await phone.push(*batch)
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json()["results"]} == {"applied"}
    shown = "\n".join(s.split("\n")[0][:120] for s in sent)
    # Session lookup, BEGIN, client upsert, lock the 20 visits, received mutations, last_seq,
    # revisions, [versions (no lock), records, audit head, audit rows + head], COMMIT.
    assert len(sent) <= 14, f"{len(sent)} statements:\n{shown}"
    counter = next(i for i, s in enumerate(sent) if "change_counter" in s)
    assert len(sent) - counter <= 5, f"after the counter:\n{shown}"


async def test_a_push_of_one_streets_visits_reads_its_postcode_once(
    backend: str, enrolled: Enrolled
) -> None:
    # Regression (CI, overloaded workers): each new visit's repeat flag loaded every report and
    # visit at its postcode as objects, so a shift's visits on one street made every push
    # quadratic (pushes of 200 visits took 50 s once a few thousand were stored there).
    if backend != "postgres":
        pytest.skip("counts PostgreSQL statements")
    officer = await enrolled()
    phone = Phone(officer.client)

    def street(n: int) -> list[dict[str, Any]]:
        return [
            phone.mutation(
                "visits",
                new_id(),
                {"address.line1": f"{i} Ombersley Road", "address.postcode": "WR3 8JE"},
            )
            for i in range(n)
        ]

    assert (await phone.push(*street(40))).status_code == 200
    with statements() as sent:
        answer = await phone.push(*street(40))
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json()["results"]} == {"applied"}
    by_postcode = [s for s in sent if re.search(r'"address_postcode"\s*=', s)]
    shown = "\n".join(s.split("\n")[0][:120] for s in by_postcode)
    # One read of the reports and one of the visits at the postcode, for the whole push.
    assert len(by_postcode) <= 2, f"{len(by_postcode)} postcode reads:\n{shown}"


async def test_a_push_at_a_busy_postcode_reads_only_its_own_addresses(
    backend: str, enrolled: Enrolled
) -> None:
    # Regression (bench/sync_bench.py, 37% of a push's server CPU): the repeat check read every
    # burglary at each postcode of the push - a block of flats or a long street - as rows to
    # compare in Python; it now asks for the push's own addresses, by (postcode, line key).
    if backend != "postgres":
        pytest.skip("counts PostgreSQL statements")
    officer = await enrolled()
    phone = Phone(officer.client)

    def street(first: int, n: int) -> list[dict[str, Any]]:
        return [
            phone.mutation(
                "visits",
                new_id(),
                {"address.line1": f"{i} Ombersley Road", "address.postcode": "WR3 8JE"},
            )
            for i in range(first, first + n)
        ]

    assert (await phone.push(*street(0, 40))).status_code == 200
    with statements() as sent:
        answer = await phone.push(*street(40, 40))
    assert answer.status_code == 200
    by_postcode = [s for s in sent if re.search(r'"address_postcode"', s) and "SELECT" in s]
    assert by_postcode, "the repeat check read nothing"
    for statement in by_postcode:
        assert '"address_line_key"' in statement, statement.split("\n")[0][:200]
