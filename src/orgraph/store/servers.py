"""The database servers orgraph runs itself, behind the one interface `orgraph db` uses.

Two engines run locally: the embedded FalkorDB (`EmbeddedServer`, a redis-server on a unix
socket) and a local Neo4j Community server (`LocalNeo4j`, assembled from Maven Central). The
CLI never asks which one it has: it calls the methods of `LocalServer`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from orgraph.store.embedded import EmbeddedServer

Progress = Callable[[str], None]


class ServerState(Protocol):
    """What a server's status() returns: its state, pid, and everything as a dict."""

    @property
    def state(self) -> str: ...

    @property
    def pid(self) -> int | None: ...

    def as_dict(self) -> dict[str, Any]: ...


class LocalServer(Protocol):
    """A database server whose process, data and lifecycle orgraph owns."""

    @property
    def address(self) -> str:
        """Where clients reach it, for messages (a unix socket or a Bolt URI)."""
        ...

    def start(self, *, wait: bool = True, progress: Progress | None = None) -> bool:
        """Start it unless it runs (a stale pid file is cleaned); True when this call did.
        With wait, return once it answers queries; progress gets a line every few seconds."""
        ...

    def stop(self) -> bool:
        """Shut it down cleanly; True when one was running."""
        ...

    def status(self) -> ServerState: ...

    def pid(self) -> int | None: ...

    def backup(self, dest: Path, *, progress: Progress | None = None) -> int:
        """A consistent backup file at dest; its size in bytes."""
        ...

    def restore(
        self, src: Path, *, graph_has_data: bool, force: bool, progress: Progress | None = None
    ) -> Path | None:
        """Replace the data by a backup; the server runs afterwards. Returns where the
        replaced data was kept (a dump file, or a folder; owner-only), else None."""
        ...


class ManagedEmbedded(EmbeddedServer):
    """The embedded FalkorDB with the LocalServer interface (behaviour unchanged)."""

    @property
    def address(self) -> str:
        return f"套接字 {self.socket}"

    def start(
        self, *, wait: bool = True, load_snapshot: bool = False, progress: Progress | None = None
    ) -> bool:
        return super().start(wait=wait, load_snapshot=load_snapshot)

    def backup(self, dest: Path, *, progress: Progress | None = None) -> int:
        """BGSAVE needs the server: it is started first when it is not running."""
        self.start()
        return super().backup(dest)

    def restore(
        self, src: Path, *, graph_has_data: bool, force: bool, progress: Progress | None = None
    ) -> Path | None:
        return super().restore(src, graph_has_data=graph_has_data, force=force)
