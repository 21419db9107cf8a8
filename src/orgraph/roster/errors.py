"""Errors of the roster layer (whole-file problems; row problems are Issues, not errors)."""

from __future__ import annotations

from orgraph.errors import ValidationFailed


class UnknownKind(ValidationFailed, ValueError):
    """A roster kind that is not one of areas/orgs/members/households/contacts/outflows/
    reports (or their Chinese names)."""


class RosterFileError(ValidationFailed):
    """The file cannot be read at all (empty, too big, zip bomb, encrypted, corrupt,
    unknown format). The message is for the user, in Chinese."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
