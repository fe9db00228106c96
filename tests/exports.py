"""Reading the app's CSV exports in tests."""

import csv
import io
from decimal import Decimal


def csv_rows(response) -> list[dict]:
    """The rows of a CSV download, read whole (after checking it was streamed and is an attachment)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def amount(text: str) -> Decimal:
    """An amount as the exports write it ("$1,234.50") as a Decimal."""
    return Decimal(text.replace("$", "").replace(",", ""))


def total(rows: list[dict], column: str) -> Decimal:
    return sum((amount(r[column]) for r in rows), Decimal("0.00"))
