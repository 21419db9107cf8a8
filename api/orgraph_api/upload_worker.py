"""Uploaded rosters are read and checked in a child process, never in the API's own.

A roster reader is native code (calamine) or pure Python fed a stranger's file: a file that
makes one abort, exhaust memory or spin would otherwise take the whole API down (#18).
`parse_uploads` reads every file of one request with `orgraph.roster.workers` in one child
forked from a small fork server (started once, from the app's lifespan), under an
address-space limit (`ORGRAPH_UPLOAD_MEMORY_MB` above its size at start) and a wall-clock
limit for the request (`ORGRAPH_UPLOAD_TIMEOUT_S`). A child that dies or overruns is answered
with a Chinese problem naming the file: 413 when it ran out of memory, 422 when it died (a
native abort or crash), 504 when it overran. The API stays up. One child, not one per core as
`orgraph import` has: the memory limit is the request's, and a second child would double it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from orgraph.roster import ParsedSheet
from orgraph.roster.workers import Limits, Reading, start

__all__ = ["Limits", "parse_uploads", "start"]


def parse_uploads(
    paths: Sequence[Path],
    names: Sequence[str],
    *,
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    limits: Limits,
) -> dict[Path, list[ParsedSheet]]:
    """The sheets of every path (under the request's private spool folder), read in a child
    process under `limits`. `names` are the files as uploaded, for the messages."""
    if not paths:
        return {}
    with Reading(
        paths,
        names,
        kind=kind,
        key=key,
        today=today,
        max_bytes=max_bytes,
        limits=limits,
        spool=paths[0].parent,
    ) as reading:
        return reading.all()
