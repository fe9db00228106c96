"""Small helpers shared by the forms of every blueprint."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value):
    """Coerce a select's value to int, with the empty option meaning None."""
    return int(value) if value not in (None, "", "None") else None
