from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.workload import schemas, service
from shared.auth import PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["workload"])


@router.get("/workload", response_model=Page[schemas.StaffLoad],
            summary="Each member's weeks: hours planned against contract and delivered, visits a day, travel "
                    "share, warnings of overload (a worker: their own)")
def workload(filters: Annotated[schemas.WorkloadFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.workload(filters, caller, now=datetime.now(UTC), session=session)
