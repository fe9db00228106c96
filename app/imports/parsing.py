"""Reading placement files: encoding, header matching, physical line numbers.

A file is read once, as a stream, so memory stays flat whatever its size: :func:`read_rows` gives each data
record with its physical line number (quoted newlines and blank lines counted), and
:class:`~app.imports.validation.RowValidator` turns one into a :class:`Row`: the validated values or the list
of ``(column, message)`` errors.

A record the reader cannot trust comes as an :class:`Unreadable` (no cells, the reason) and is rejected on
its own line, so one bad spot never costs the rest of the file:

- a NUL character in a cell (PostgreSQL refuses it in text): the cell's column is named;
- an unbalanced quote: a quoted field that runs past :data:`MAX_RECORD_LINES` physical lines or
  :data:`MAX_FIELD_CHARS` characters, or a multi-line record that the file ends inside. Reading resumes at the
  line after the one the record began on, so the lines the quote swallowed are read as the rows they are.
"""

import codecs
import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from app.imports.schemas import COLUMNS, REQUIRED_COLUMNS

MAX_RECORD_LINES = 50
MAX_FIELD_CHARS = 10_000
csv.field_size_limit(MAX_FIELD_CHARS)  # the csv module's error stops a runaway quote at this many characters
CHUNK = 1 << 20
UNBALANCED = (
    f"unbalanced quote: a quoted field runs past {MAX_RECORD_LINES} lines, {MAX_FIELD_CHARS:,} characters or "
    "the end of the file; the row is skipped and reading goes on at the next line"
)


class Unreadable(list):
    """A record rejected while reading (empty, so it matches no header): ``message`` says why, ``index`` is
    the cell at fault (if one is) and ``column`` its header name."""

    def __init__(self, message: str, index: int | None = None, column: str = ""):
        super().__init__()
        self.message, self.index, self.column = message, index, column


class _Runaway(Exception):
    """Raised by the line source when a record has taken more than MAX_RECORD_LINES lines."""


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
    records = _records(fh)
    header_record = _first_non_blank(records)
    if header_record is None:
        fh.close()
        raise FileRejected("The file is empty: expected a header line naming the columns.")
    line, cells = header_record
    if isinstance(cells, Unreadable):
        fh.close()
        raise FileRejected(f"Line {line} (the header): {cells.message}.")
    header = Header.parse(cells)
    return header, _named(records, cells)


def _first_non_blank(records) -> tuple[int, list[str]] | None:
    for line, cells in records:
        if isinstance(cells, Unreadable) or any(c.strip() for c in cells):
            return line, cells
    return None


def _named(records, header_cells: list[str]) -> Iterator[tuple[int, list[str]]]:
    """The data records; a NUL's Unreadable gets the name of its column from the header."""
    for line, cells in records:
        if isinstance(cells, Unreadable) and cells.index is not None:
            at = cells.index
            cells.column = normalise_header(header_cells[at]) if at < len(header_cells) else f"column {at + 1}"
        if isinstance(cells, Unreadable) or (cells and (cells[0].strip() or any(c.strip() for c in cells))):
            yield line, cells


def _lines(fh, pending: deque, record: list, nul: list) -> Iterator[str]:
    """The file's physical lines for the csv reader: first those given back after a runaway record, then the
    file's. Each is kept in ``record`` (the caller empties it after every record), so a record that turns out
    to be a runaway can be given back but its first line; more than MAX_RECORD_LINES raise _Runaway. A line
    holding a NUL sets ``nul[0]``, so only such records have their cells searched."""
    for line in chain(_given_back(pending), fh):
        record.append(line)
        if len(record) > MAX_RECORD_LINES:
            raise _Runaway
        if "\x00" in line:
            nul[0] = True
        yield line


def _given_back(pending: deque) -> Iterator[str]:
    """The lines given back, each taken off ``pending`` as it is read (a later runaway may give back more)."""
    while pending:
        yield pending.popleft()


def _records(fh) -> Iterator[tuple[int, list[str]]]:
    """Every record of the file with the physical line it starts on; Unreadable for a rejected one."""
    pending, record, nul, line_no = deque(), [], [False], 1
    with fh:
        while True:
            try:
                for cells in csv.reader(_lines(fh, pending, record, nul)):
                    if len(record) > 1 and _ends_inside_quotes(record):
                        raise _Runaway
                    start, line_no = line_no, line_no + len(record)
                    record.clear()
                    if nul[0]:
                        nul[0], cells = False, _without_nul(cells)
                    yield start, cells
                return
            except (_Runaway, csv.Error):
                pending.extendleft(reversed(record[1:]))
                record.clear()
                nul[0] = False
                yield line_no, Unreadable(UNBALANCED)
                line_no += 1


def _ends_inside_quotes(lines: list[str]) -> bool:
    """Whether a multi-line record ends with a quoted field still open (the file ended inside it): its quote
    characters do not pair up. Only multi-line records are asked, so the usual row costs nothing."""
    return sum(line.count('"') for line in lines) % 2 == 1


def _without_nul(cells: list[str]) -> list[str]:
    """The cells, or an Unreadable naming the first cell that holds a NUL (its column named by :func:`_named`)."""
    for index, cell in enumerate(cells):
        if "\x00" in cell:
            return Unreadable("contains a NUL character, which cannot be stored", index)
    return cells
