"""CSV cells safe to open in a spreadsheet: the one rule for every CSV the app hands out."""

# A formula start, or any control character (NUL, tab, CR, LF, ... up to 0x1f): spreadsheets strip or act on
# a leading one, so a cell written "\t=HYPERLINK(...)" would still open as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", *map(chr, range(0x20)))


def neutralise(cell: object) -> str:
    """Make a cell safe to open in a spreadsheet: a leading formula or control character is quoted away."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
