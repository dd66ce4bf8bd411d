from __future__ import annotations

from pydantic import BaseModel


class ClientCount(BaseModel):
    municipality: str
    registered_clients: int
