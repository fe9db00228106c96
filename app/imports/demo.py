"""The embedded demo's drop folder: a local import source for the first demo agency, with three sample files.

A new user signs in as the demo admin, opens Imports, presses "Check now" and watches the files import
(30 rows; one row of the second file is deliberately bad so the error report has something to show).
"""

from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.agencies.models import Agency
from app.extensions import db
from app.imports.models import ImportSource, SourceKind

SOURCE_NAME = "Demo drop folder"
HEADER = (
    "external_ref,debtor_name,original_amount,debtor_email,debtor_phone,due_date,creditor_name,account_type,city,state"
)
NAMES = (
    "Avery Brooks", "Blake Carter", "Casey Diaz", "Devon Ellis", "Emerson Flores", "Finley Grant", "Harper Hayes",
    "Jordan Irwin", "Kendall James", "Logan Kim", "Morgan Lopez", "Noah Martin", "Oakley Nash", "Parker Owens",
    "Quinn Patel", "Riley Quinn", "Sawyer Reed", "Taylor Shah", "Urban Torres", "Valentina Underwood",
    "Wesley Vance", "Ximena Walsh", "Yael Xu", "Zion Young", "Ari Zimmerman", "Bailey Adams", "Cameron Baker",
    "Dakota Cruz", "Elliot Dunn", "Frankie Evans",
)  # fmt: skip
CREDITORS = (("First Harbor Bank", "credit_card"), ("Metro Health", "medical"), ("Lakeside Auto", "auto_loan"))


def seed_drop_folder(agency_slug: str, reset: bool = False) -> str:
    """Create the agency's local drop-folder source and put the sample files in it (again on ``reset``)."""
    agency = db.session.scalars(select(Agency).where(Agency.slug == agency_slug)).first()
    if agency is None:
        return "demo drop folder: no agency"
    source = db.session.scalars(select(ImportSource).where(ImportSource.agency_id == agency.id)).first()
    if source is not None and not reset:
        return f"demo drop folder: {source.remote_dir} (already present)"
    folder = Path(current_app.config["IMPORT_DEMO_DIR"])
    source = source or ImportSource(agency_id=agency.id, name=SOURCE_NAME, kind=SourceKind.LOCAL)
    source.remote_dir, source.processed_dir, source.pattern = str(folder), str(folder / "processed"), "*.csv"
    db.session.add(source)
    write_sample_files(folder)
    return f"demo drop folder: {folder} with 3 sample files (press 'Check now' on Imports)"


def write_sample_files(folder: Path) -> None:
    """Three placement files of ten rows; the second has a CRLF/BOM flavour and one bad row."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, (creditor, kind) in enumerate(CREDITORS):
        lines = [HEADER] + [_line(index * 10 + i, creditor, kind) for i in range(10)]
        if index == 1:
            lines[5] = "IMP-50015,Hayden Bad Row,12.345,not-an-email,555-0199,2026-02-30,Metro Health,medical,Austin,TX"
        text = "\r\n".join(lines) + "\r\n"
        data = ("\ufeff" + text).encode() if index == 1 else text.encode()
        (folder / f"placement-{index + 1}-{creditor.lower().replace(' ', '-')}.csv").write_bytes(data)


def _line(n: int, creditor: str, kind: str) -> str:
    name = NAMES[n]
    email = name.lower().replace(" ", ".") + "@example.com"
    amount = f"{250 + (n * 137) % 4750}.{(n * 7) % 100:02d}"
    due = (date(2026, 1, 15) + timedelta(days=9 * n)).isoformat()
    return f"IMP-{50001 + n},{name},{amount},{email},555-01{n:02d},{due},{creditor},{kind},Springfield,IL"
