"""Who is calling: the signed-in officer, their device and what their role lets them see; or
an integration (the force's crime system), which is nobody's session and sees nothing."""

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


@dataclass(frozen=True)
class IntegrationCaller:
    """A service calling with an integration credential: it may send reports, nothing else.

    It is never a ``Principal``: endpoints that read victims' records need a session, and an
    integration's requests are audited with its own id as the actor.
    """

    id: uuid.UUID
    name: str
