"""The debtor's contact preferences in the portal: inconvenient weekly times, no calls at work, and email
opt-outs, through the contact guard's own services (``app.compliance.points``), so the guard obeys them at once."""

from app.compliance import points
from app.compliance.models import ContactPoint
from app.debtors.models import Debtor
from app.errors import NotFound
from app.extensions import db
from app.portal.models import PortalSession


def visit_debtor(visit: PortalSession) -> Debtor:
    debtor = db.session.get(Debtor, visit.debtor_id)
    if debtor is None or debtor.agency_id != visit.agency_id:
        raise NotFound()
    return debtor


def emails(debtor: Debtor) -> list[ContactPoint]:
    """The debtor's email addresses (stored or imported), as the guard knows them."""
    return [p for p in points.list_points(debtor) if p.channel == "email"]


def save(debtor: Debtor, spans: list[tuple], no_calls_at_work: bool, opted_out: set[str], language: str) -> None:
    """Store the times and "no calls at work" (and the language the page was read in, the emails' language),
    then each address whose opt-out changed (each change audited)."""
    debtor.language = language
    points.set_preferences(debtor, spans, no_calls_at_work, actor=None, via="portal")
    for point in emails(debtor):
        wanted = point.value in opted_out
        if wanted != (point.opted_out_at is not None):
            change = points.PointChange(opted_out=wanted)
            points.save_point(debtor, "email", point.value, change, actor=None, via="portal")
