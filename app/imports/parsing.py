"""Reading placement files: encoding, header matching, physical line numbers, per-row validation.

A file is read once, as a stream, so memory stays flat whatever its size. Each data row comes out as a
:class:`Row`: its physical line number (quoted newlines and blank lines counted), the validated values or
the list of ``(column, message)`` errors.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError

from app.imports.schemas import COLUMNS, REQUIRED_COLUMNS, AccountCsvRowSchema

csv.field_size_limit(1 << 20)
CHUNK = 1 << 20
MEMO_LIMIT = 20_000


class FileRejected(Exception):
    """The file as a whole cannot be processed (no header, a required column missing, not CSV)."""


@dataclass
class Row:
    line_no: int
    ref: str
    data: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


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


class RowValidator:
    """Validates rows with the shared schema and refuses a ref seen earlier in the same file."""

    def __init__(self, header: Header):
        self.header = header
        self.schema = AccountCsvRowSchema()
        self.seen: dict[str, int] = {}
        self.memo: dict[str, dict] = {}

    def check(self, line_no: int, cells: list[str]) -> Row:
        """Validate one data row; the returned Row carries either data or errors."""
        width = len(self.header.names)
        raw = {n: v for n, v in zip(self.header.names, cells, strict=False) if n}
        row = Row(line_no=line_no, ref=(raw.get("external_ref") or "").strip()[:100])
        if len(cells) != width:
            rule = "too few" if len(cells) < width else "too many"
            row.errors.append(("", f"{rule} fields: expected {width}, found {len(cells)}"))
            return row
        data, errors = self._load(raw)
        if errors:
            row.errors = sorted(errors.items())
            return row
        row.data = dict.fromkeys(COLUMNS) | data
        return self._check_repeat(row)

    def _load(self, raw: dict) -> tuple[dict, dict]:
        """What ``schema.load`` does, field by field through the schema's own fields, minus its per-row overhead.

        Results are memoised per field and value (creditor names, dates and SSN digits repeat a lot), up to
        ``MEMO_LIMIT`` values per field so unique columns (refs, emails) do not hold memory.
        """
        data, errors = {}, {}
        for name, value in self.schema.strip_values(raw).items():
            field = self.schema.fields[name]
            if value is None:
                data[name] = None
                if field.required:
                    errors[name] = field.error_messages["required"]
                continue
            ok, result = self._deserialize(name, field, value)
            (data if ok else errors)[name] = result
        return data, errors

    def _deserialize(self, name: str, field, value: str) -> tuple[bool, object]:
        memo = self.memo.setdefault(name, {})
        hit = memo.get(value)
        if hit is None:
            try:
                hit = (True, field.deserialize(value))
            except ValidationError as exc:
                hit = (False, _first(exc.messages))
            if len(memo) < MEMO_LIMIT:
                memo[value] = hit
        return hit

    def _check_repeat(self, row: Row) -> Row:
        first = self.seen.setdefault(row.ref, row.line_no)
        if first != row.line_no:
            row.data = None
            row.errors.append(("external_ref", f"repeats the reference already given on line {first}"))
        return row


def _first(messages) -> str:
    return messages[0] if isinstance(messages, list) else str(messages)


def count_lines(path: Path) -> int:
    """Physical lines in the file (for progress; cheap, binary)."""
    lines, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk
    return lines + (1 if last and not last.endswith(b"\n") else 0)


def read_rows(path: Path) -> tuple[Header, Iterator[Row]]:
    """Open ``path``, read its header and return it with an iterator of validated rows."""
    fh = path.open("r", encoding=detect_encoding(path), errors="replace", newline="")
    reader = csv.reader(fh)
    header_cells = _first_non_blank(reader)
    if header_cells is None:
        fh.close()
        raise FileRejected("The file is empty: expected a header line naming the columns.")
    header = Header.parse(header_cells)
    return header, _rows(fh, reader, RowValidator(header))


def _first_non_blank(reader) -> list[str] | None:
    for cells in reader:
        if any(c.strip() for c in cells):
            return cells
    return None


def _rows(fh, reader, validator: RowValidator) -> Iterator[Row]:
    with fh:
        start = reader.line_num + 1
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield validator.check(start, cells)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise FileRejected(f"Line {start}: the file is not valid CSV ({exc}).") from None
