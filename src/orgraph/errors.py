"""One root exception; each subclass maps to one HTTP status and one CLI exit code."""

from __future__ import annotations

from typing import Self


class OrgraphError(Exception):
    """Root of every error orgraph raises on purpose. Messages are for the user (Chinese)."""

    http_status = 500
    exit_code = 1
    # What the engine or library said, in its own (English) words: for the log, never part of
    # the message users read (#18: "无法连接图数据库: Connection closed by server.").
    engine_detail: str | None = None

    def with_detail(self, detail: object) -> Self:
        self.engine_detail = str(detail)
        return self


class ConfigError(OrgraphError):
    http_status = 500
    exit_code = 2


class StoreUnavailable(OrgraphError):
    """The graph store cannot be reached, is still loading, or timed out."""

    http_status = 503
    exit_code = 3


class StoreLoading(StoreUnavailable):
    """The store is up but still loading its data from disk."""


class EmbeddedUnsupported(StoreUnavailable):
    """The packaged FalkorDB binary cannot run on this platform."""


class ConstraintConflict(OrgraphError):
    http_status = 409
    exit_code = 4


class BadQuery(OrgraphError):
    """The engine rejected a statement: a bug in orgraph's Cypher, not user input."""

    http_status = 500
    exit_code = 5


class QueryTimeout(StoreUnavailable):
    pass


class NotFound(OrgraphError):
    http_status = 404
    exit_code = 6


class ValidationFailed(OrgraphError):
    http_status = 422
    exit_code = 7

    def __init__(self, message: str, *, refused: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        # One entry per item a business rule refused, when a request names several (the API
        # answers them as `refused`; `errors` is kept for request validation).
        self.refused = refused


class StoreNotEmpty(OrgraphError):
    http_status = 409
    exit_code = 8


class Unauthorized(OrgraphError):
    """No valid credentials or token (log in again)."""

    http_status = 401
    exit_code = 9


class AccountLocked(Unauthorized):
    """Too many failed log-ins: the account is locked for a while."""

    http_status = 423


class Forbidden(OrgraphError):
    """Authenticated, but the role may not do this."""

    http_status = 403
    exit_code = 10


class PayloadTooLarge(OrgraphError):
    http_status = 413
    exit_code = 11


class UploadTimeout(OrgraphError):
    """Reading an uploaded file took longer than allowed (the API's reader was stopped)."""

    http_status = 504
    exit_code = 12
