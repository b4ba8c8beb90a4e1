"""Areas, teams and officers: who works where, and so who may see what."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

# What a person may do: defined once, by the sync engine's state machine (the lower layer).
from sync import Role as Role


class SupervisionScope(StrEnum):
    """How far a supervisor sees: their own team, or every team in their area."""

    TEAM = "team"
    AREA = "area"


class Area(Model):
    """A policing area (e.g. a local policing area), holding several teams."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    teams: fields.ReverseRelation[Team]

    class Meta:
        table = "area"


class Team(Model):
    """A team of officers with its supervisors, in one area."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=120)
    area: fields.ForeignKeyRelation[Area] = fields.ForeignKeyField(
        "doorstep.Area", related_name="teams", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    officers: fields.ReverseRelation[Officer]

    class Meta:
        table = "team"


class Officer(Model):
    """A person who signs in: officer or PCSO, supervisor, or administrator."""

    id = fields.UUIDField(primary_key=True)
    collar_number = fields.CharField(max_length=20, unique=True)
    display_name = fields.CharField(max_length=120)
    role = fields.CharEnumField(Role, max_length=16)
    supervision_scope = fields.CharEnumField(
        SupervisionScope, max_length=8, default=SupervisionScope.TEAM
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "doorstep.Team", related_name="officers", on_delete=fields.RESTRICT
    )
    contact_phone = fields.CharField(max_length=32, default="")
    contact_email = fields.CharField(max_length=254, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "officer"
