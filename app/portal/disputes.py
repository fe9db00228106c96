"""A debtor's written dispute, request for the original creditor, or request to stop contact, filed in the
portal: issue 18's consumer request (``app.compliance.requests``) with the portal as its written channel, received
on the agency's today."""

from app.agencyday import local_today
from app.compliance import requests
from app.compliance.models import ConsumerRequest
from app.portal.models import PortalSession


def file_request(visit: PortalSession, agency, account, kind: str, amount: str, statement: str) -> ConsumerRequest:
    """Record it for ``account`` (one of the visit's, already checked) at the visit's ``agency``: a hold when the
    rule or the agency's policy says so. ValidationFailed for a bad amount or statement (nothing is written)."""
    new = requests.NewRequest(
        kind=kind,
        channel="portal",
        received_on=local_today(agency.timezone),
        disputed_amount=(amount or "").strip() or None,
        note=(statement or "").strip(),
    )
    return requests.record_request(account.id, new, actor=None, via="portal", agency_id=visit.agency_id)
