"""Events intake consumes, one function per type. Handlers never commit: the
consumer commits their effects together with its inbox rows."""
from sqlalchemy.orm import Session

from services.intake.access.service import keep_assignment
from services.intake.cases.service import add_case_for_visit
from services.intake.staff.service import keep_staff_member
from shared.events import Envelope
from shared.events.scheduling import (
    ClientAssigned,
    ClientUnassigned,
    StaffChanged,
    StaffLeft,
    StaffRegistered,
    VisitCompleted,
)
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()


@registry.on(VisitCompleted)
def on_visit_completed(event: VisitCompleted, envelope: Envelope, *, session: Session) -> None:
    """A concern raised at a visit opens a case linked to the visit, once per visit."""
    add_case_for_visit(event, session=session)


@registry.on(ClientAssigned)
def on_client_assigned(event: ClientAssigned, envelope: Envelope, *, session: Session) -> None:
    """A worker serves the client now: where scheduling assigns, workers read only their clients."""
    keep_assignment(event, assigned=True, as_of=envelope.time, session=session)


@registry.on(ClientUnassigned)
def on_client_unassigned(event: ClientUnassigned, envelope: Envelope, *, session: Session) -> None:
    keep_assignment(event, assigned=False, as_of=envelope.time, session=session)


@registry.on(StaffRegistered)
def on_staff_registered(event: StaffRegistered, envelope: Envelope, *, session: Session) -> None:
    """Plans and cases may name the member from now on."""
    keep_staff_member(event, as_of=envelope.time, session=session)


@registry.on(StaffChanged)
def on_staff_changed(event: StaffChanged, envelope: Envelope, *, session: Session) -> None:
    keep_staff_member(event, as_of=envelope.time, session=session)


@registry.on(StaffLeft)
def on_staff_left(event: StaffLeft, envelope: Envelope, *, session: Session) -> None:
    keep_staff_member(event, as_of=envelope.time, session=session)
