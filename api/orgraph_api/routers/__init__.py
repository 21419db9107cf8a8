"""One router per resource; `ROUTERS` in the order the OpenAPI document lists them."""

from __future__ import annotations

from fastapi import APIRouter

from orgraph_api.routers import (
    analysis,
    auth,
    contacts,
    groups,
    history,
    households,
    imports,
    ledger,
    life,
    members,
    mobility,
    outflows,
    places,
    proposals,
    system,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    system.router,
    places.router,
    analysis.router,
    members.router,
    households.router,
    contacts.router,
    outflows.router,
    mobility.router,
    life.router,
    groups.router,
    ledger.router,
    proposals.router,
    imports.router,
    history.router,
]
