from __future__ import annotations

from pydantic import BaseModel, Field


class FeedAddress(BaseModel):
    url: str = Field(description="The feed's secret address, for a calendar app; issuing another ends this one")
