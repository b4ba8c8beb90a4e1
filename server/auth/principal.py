"""Who is calling: the signed-in officer, their device and what their role lets them see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.org.models import Role, SupervisionScope


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    officer_id: uuid.UUID
    collar_number: str
    display_name: str
    role: Role
    team_id: int
    area_id: int
    supervision_scope: SupervisionScope
    device_id: uuid.UUID
    session_key: str

    @property
    def sees_victim_data(self) -> bool:
        """Administrators manage accounts and devices; they do not read victims' records."""
        return self.role in {Role.OFFICER, Role.SUPERVISOR}
