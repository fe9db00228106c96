"""CSV cells safe to open in a spreadsheet: the one rule for every CSV the app hands out."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """Make a cell safe to open in a spreadsheet: a leading formula character is quoted away."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
