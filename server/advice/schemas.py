"""The advice catalogue as the phone caches it."""

from __future__ import annotations

from pydantic import BaseModel


class AdviceItemOut(BaseModel):
    """One catalogue item in force, at its current version."""

    id: str
    version: int
    category: str
    title: str
    body: str
    tags: list[str]


class AdviceCatalogue(BaseModel):
    """The items in force; ``version`` changes whenever any item does."""

    version: str
    items: list[AdviceItemOut]
