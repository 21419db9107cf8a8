"""What every CLI command shares: settings, the store, and turning errors into messages."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from orgraph.analysis import gap_ledger
from orgraph.analysis.engine import Engine
from orgraph.analysis.projection import revision
from orgraph.config import Settings, get_settings
from orgraph.errors import OrgraphError
from orgraph.store import GraphStore, open_store

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """An OrgraphError becomes one red line on stderr and its own exit code, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except OrgraphError as exc:
            err_console.print(f"[red]错误:[/red] {exc}", highlight=False, soft_wrap=True)
            if exc.engine_detail:  # the operator at the console may need the engine's own words
                err_console.print(
                    f"[dim]数据库原始信息: {exc.engine_detail}[/dim]",
                    highlight=False,
                    soft_wrap=True,
                )
            raise typer.Exit(exc.exit_code) from None

    return wrapper


@contextlib.contextmanager
def store_session(settings: Settings | None = None) -> Iterator[GraphStore]:
    """The configured store (an embedded one is started when needed), closed afterwards."""
    store = open_store(settings or get_settings())
    try:
        yield store
        catch_up_ledger(store)
    finally:
        store.close()


def catch_up_ledger(store: GraphStore) -> None:
    """After a command that wrote (or found writes nobody observed), the gap ledger observes
    the graph, dated today (docs/rules.md "Gap life"). Nothing before the first recorded
    import: the ledger begins with one; a command that changed nothing costs two reads."""
    stamp = gap_ledger.state(store)
    if stamp is not None and stamp["rev"] != revision(store)[0]:
        Engine(store).observe_gaps()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
