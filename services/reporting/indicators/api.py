from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.indicators import service
from services.reporting.indicators.schemas import ClientCount
from shared.auth import AggregateReader
from shared.types import MUNICIPALITY_CODE
from shared.web import Db

router = APIRouter(tags=["indicators"])


@router.get("/indicators/clients", response_model=list[ClientCount],
            summary="Registered clients per municipality")
def registered_clients(
    caller: AggregateReader, session: Db,
    municipality: Annotated[str | None, Query(pattern=MUNICIPALITY_CODE, description="Only this municipality")] = None,
):
    counts = service.registered_clients(caller, municipality=municipality, session=session)
    return [ClientCount(municipality=code, registered_clients=count) for code, count in counts.items()]
