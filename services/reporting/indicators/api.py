from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.indicators import service
from services.reporting.indicators.schemas import IndicatorsRead, SliceQuery
from shared.auth import AggregateReader
from shared.web import AppSettings, Db

router = APIRouter(tags=["indicators"])


@router.get("/indicators", response_model=IndicatorsRead, summary="Indicators of a period",
            description="Every indicator for the period, for a municipality, a network or all in your scope, "
                        "narrowed by the filters given and broken down by `by`. Periods are whole days in each "
                        "municipality's calendar; a care plan counts as active if it ran on a day of the period.")
def indicators(query: Annotated[SliceQuery, Query()], caller: AggregateReader, settings: AppSettings, session: Db):
    return service.indicators(caller, query, settings=settings, session=session)
