"""Reading placement files: encoding, header matching, physical line numbers.

A file is read once, as a stream, so memory stays flat whatever its size: :func:`read_rows` gives each data
record with its physical line number (quoted newlines and blank lines counted), and
:class:`~app.imports.validation.RowValidator` turns one into a :class:`Row`: the validated values or the list
of ``(column, message)`` errors.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.imports.schemas import COLUMNS, REQUIRED_COLUMNS

csv.field_size_limit(1 << 20)
CHUNK = 1 << 20


class FileRejected(Exception):
    """The file as a whole cannot be processed (no header, a required column missing, not CSV)."""


@dataclass(slots=True)
class Row:
    """A data row: valid (``data``) or not (``errors``). ``known``: its ref already has an account."""

    line_no: int
    ref: str
    data: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    fingerprint: str | None = None
    known: bool = False


@dataclass(slots=True)
class Batch:
    """What a writer commits in one transaction: ``rows`` to apply or report (new, changed and rejected
    rows), and how many valid rows are ``unchanged``: identical to what last wrote their account, so
    nothing is written for them (they count as updated). ``first_line``..``last_line``: its checkpoint."""

    rows: list[Row]
    first_line: int
    last_line: int
    unchanged: int = 0

    def then(self, later: "Batch") -> "Batch":
        """This batch and the one after it (the next lines of the file) as one."""
        return Batch(self.rows + later.rows, self.first_line, later.last_line, self.unchanged + later.unchanged)


def detect_encoding(path: Path) -> str:
    """UTF-8 (a BOM is dropped) when the whole file decodes as UTF-8, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def normalise_header(name: str) -> str:
    """Match headers case- and whitespace-insensitively: " Debtor Name " -> "debtor_name"."""
    return re.sub(r"\s+", "_", name.strip().lower())


@dataclass
class Header:
    names: list[str]
    unknown: list[str]

    @classmethod
    def parse(cls, cells: list[str]) -> "Header":
        """Map header cells to schema columns; raise FileRejected when a required one is missing."""
        names = [normalise_header(c) for c in cells]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise FileRejected(f"Missing required column(s): {', '.join(missing)} (line 1 is the header).")
        unknown = [cells[i].strip() for i, n in enumerate(names) if n not in COLUMNS]
        return cls(names=[n if n in COLUMNS else "" for n in names], unknown=unknown)


def count_lines(path: Path) -> int:
    """Physical lines in the file (for progress; cheap, binary)."""
    lines, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk
    return lines + (1 if last and not last.endswith(b"\n") else 0)


def read_rows(path: Path) -> tuple[Header, Iterator[tuple[int, list[str]]]]:
    """Open ``path``, read its header and return it with an iterator of ``(physical line, cells)``."""
    fh = path.open("r", encoding=detect_encoding(path), errors="replace", newline="")
    reader = csv.reader(fh)
    header_cells = _first_non_blank(reader)
    if header_cells is None:
        fh.close()
        raise FileRejected("The file is empty: expected a header line naming the columns.")
    header = Header.parse(header_cells)
    return header, _records(fh, reader)


def _first_non_blank(reader) -> list[str] | None:
    for cells in reader:
        if any(c.strip() for c in cells):
            return cells
    return None


def _records(fh, reader) -> Iterator[tuple[int, list[str]]]:
    with fh:
        start = reader.line_num + 1
        try:
            for cells in reader:
                if cells and (cells[0].strip() or any(c.strip() for c in cells)):
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise FileRejected(f"Line {start}: the file is not valid CSV ({exc}).") from None
