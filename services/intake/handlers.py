"""Events intake consumes, one function per type. Handlers never commit: the
consumer commits their effects together with its inbox rows."""
from sqlalchemy.orm import Session

from services.intake.cases.service import add_case_for_visit
from shared.events import Envelope
from shared.events.scheduling import VisitCompleted
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()


@registry.on(VisitCompleted)
def on_visit_completed(event: VisitCompleted, envelope: Envelope, *, session: Session) -> None:
    """A concern raised at a visit opens a case linked to the visit, once per visit."""
    add_case_for_visit(event, session=session)
