"""Who is calling, and what they may see.

The caller's scope is resolved against the current projection once per request by
`orgraph.records.visibility.Jurisdiction` (docs/design.md#scopes): the API names objects by
id and gets 404s, handles and redaction masks back, and never reads the projection itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgraph.analysis.engine import Engine
from orgraph.records.visibility import Jurisdiction


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the user store knows it now."""

    username: str
    role: str
    scope: str
    display_name: str | None
    client: str | None  # remote address, for the audit log
    # The account's token_version: what a token renewed for this caller carries.
    token_version: int = 0


class View(Jurisdiction):
    """The caller and their scope resolved against one projection (one per request)."""

    def __init__(self, engine: Engine, principal: Principal, *, stale_ok: bool = True) -> None:
        super().__init__(engine, principal.scope, stale_ok=stale_ok)
        self.principal = principal
