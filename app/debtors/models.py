"""Debtors: the people who owe, one row per person per agency."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app import crypto
from app.extensions import db
from app.pg.indexes import partial_index
from app.timeutil import UTCDateTime, utcnow

HAS_REF = text("debtor_ref IS NOT NULL")


class Debtor(db.Model):
    __tablename__ = "debtors"
    __table_args__ = (
        UniqueConstraint("agency_id", "id"),  # the target of accounts' (agency_id, debtor_id) key
        # Only debtors with a ref are in it: an import's debtors without one write no entry.
        partial_index("uq_debtors_agency_ref", "agency_id", "debtor_ref", unique=True, where=HAS_REF),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # The creditor's customer id, when the import file carries one; rows sharing it share a debtor.
    debtor_ref: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    ssn_last4_encrypted: Mapped[str | None] = mapped_column(Text)
    # The consumer said their employer forbids calls at work (1006.6(b)(3)): no call to a work number
    no_calls_at_work: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A fact the debtor may prove identity with in the portal (with last name and ZIP code), where on file
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # The language the debtor reads ("en", "es"), where known; emails to them are written in it
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    ssn_last4 = crypto.EncryptedField("ssn_last4_encrypted")

    @property
    def masked_ssn(self) -> str:
        """The SSN as staff may see it: only the last four digits ("unreadable" when it cannot be decrypted)."""
        try:
            last4 = self.ssn_last4
        except crypto.DecryptionFailed:
            return crypto.UNREADABLE
        return f"***-**-{last4}" if last4 else "—"

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.city and f"{self.city},", self.state, self.postal_code) if p)
        return [line for line in (self.address_line1, self.address_line2, city_line) if line]
