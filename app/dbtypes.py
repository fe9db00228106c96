"""Column types shared by the models."""

import enum

from sqlalchemy import Enum


def str_enum(enum_cls: type[enum.Enum]) -> Enum:
    """Store a Python enum as its lower-case value in a checked VARCHAR (portable across databases)."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
