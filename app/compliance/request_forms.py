"""Forms of the account page's requests section and of the dispute-policy settings page."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.compliance.models import RequestChannel
from app.compliance.policy import MAX_VERIFICATION_DAYS, POLICY_FLAGS
from app.compliance.request_queries import KIND_LABELS
from app.compliance.requests import DETAIL_FIELDS, MAX_DETAIL, MAX_NOTE, NewRequest, Upload
from app.forms import BaseForm, options
from app.words import words

DETAIL_LABELS = {
    "attorney_name": "Attorney's name (attorney only)",
    "firm": "Law firm",
    "phone": "Attorney's phone",
    "address": "Attorney's address",
    "case_number": "Bankruptcy case number (bankruptcy only)",
    "court": "Bankruptcy court",
}
DETAIL_NAMES = tuple(name for names in DETAIL_FIELDS.values() for name in names)


def upload_of(field) -> Upload | None:
    """The uploaded file of a FileField, or None when none was chosen."""
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.read(), storage.filename, storage.mimetype or "application/octet-stream")


class RequestForm(BaseForm):
    """One form for every kind of request; the service checks what each kind needs."""

    kind = SelectField("Request", choices=options((k.value, label) for k, label in KIND_LABELS.items()))
    channel = SelectField("Received by", choices=options((c.value, words(c)) for c in RequestChannel))
    received_on = DateField("Received on", validators=[DataRequired("Enter the date it was received.")])
    disputed_amount = StringField("Amount disputed (empty: all of it)", validators=[Optional(), Length(max=20)])
    duplicative = BooleanField("Duplicative: the same as an earlier dispute, nothing new")
    attorney_name = StringField(DETAIL_LABELS["attorney_name"], validators=[Optional(), Length(max=MAX_DETAIL)])
    firm = StringField(DETAIL_LABELS["firm"], validators=[Optional(), Length(max=MAX_DETAIL)])
    phone = StringField(DETAIL_LABELS["phone"], validators=[Optional(), Length(max=MAX_DETAIL)])
    address = StringField(DETAIL_LABELS["address"], validators=[Optional(), Length(max=MAX_DETAIL)])
    case_number = StringField(DETAIL_LABELS["case_number"], validators=[Optional(), Length(max=MAX_DETAIL)])
    court = StringField(DETAIL_LABELS["court"], validators=[Optional(), Length(max=MAX_DETAIL)])
    note = TextAreaField("What the consumer said", validators=[Optional(), Length(max=MAX_NOTE)])
    document = FileField("Document (the letter, the email, the court notice)")

    def to_request(self) -> NewRequest:
        return NewRequest(
            kind=self.kind.data,
            channel=self.channel.data,
            received_on=self.received_on.data,
            disputed_amount=self.disputed_amount.data,
            duplicative=self.duplicative.data,
            details={name: self[name].data for name in DETAIL_NAMES},
            note=self.note.data or "",
        )


class ResolveForm(BaseForm):
    """The verification (or the original creditor's name and address) as sent; or another request ended."""

    sent_on = DateField("Sent on", validators=[Optional()])
    document = FileField("Copy of what was sent")
    note = TextAreaField("Closing note", validators=[Optional(), Length(max=MAX_NOTE)])


class DisputePolicyForm(BaseForm):
    hold_late_disputes = BooleanField("Hold collection on a written dispute received after the validation period")
    hold_oral_disputes = BooleanField("Hold collection on an oral dispute (by phone or in person)")
    hold_duplicative_disputes = BooleanField("Hold collection on a duplicative dispute")
    verification_days = IntegerField(
        "Days to send the verification (the SLA)",
        validators=[DataRequired("Enter a number of days."), NumberRange(1, MAX_VERIFICATION_DAYS)],
    )

    def values(self) -> dict:
        return {name: self[name].data for name in (*POLICY_FLAGS, "verification_days")}
