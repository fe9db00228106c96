"""How an amount is written for people: the agency's currency, thousands separated, two decimals (pages and
CSV exports alike)."""

from decimal import Decimal


def money(value: Decimal | None, currency: str = "USD") -> str:
    if value is None:
        return "—"
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{value:,.2f}"
