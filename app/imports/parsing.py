"""Reading placement files: encoding, header matching, physical line numbers, per-row validation.

A file is read once, as a stream, so memory stays flat whatever its size: :func:`read_rows` gives each data
record with its physical line number (quoted newlines and blank lines counted), and :class:`RowValidator`
turns one into a :class:`Row`: the validated values or the list of ``(column, message)`` errors.
"""

import codecs
import csv
import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path

from marshmallow import ValidationError, fields, validate

from app.imports.schemas import COLUMNS, REQUIRED_COLUMNS, AccountCsvRowSchema

csv.field_size_limit(1 << 20)
CHUNK = 1 << 20
MEMO_LIMIT = 20_000
MEMO_TRIAL = 2_000  # misses before a memo that mostly misses is switched off


class FileRejected(Exception):
    """The file as a whole cannot be processed (no header, a required column missing, not CSV)."""


@dataclass(slots=True)
class Row:
    """A data row: valid (``data``) or not (``errors``). ``known``: its ref already has an account;
    ``unchanged``: its content is what last wrote that account (``data`` is then empty: nothing to apply)."""

    line_no: int
    ref: str
    data: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    fingerprint: str | None = None
    known: bool = False
    unchanged: bool = False


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


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """How one column of the shared schema is checked, taken from its marshmallow field.

    ``max_len`` is the field's Length limit (checked inline: it is most columns); ``convert`` is the rest
    of what the field does (its own conversion, its other validators) or ``None`` for plain text.
    """

    name: str
    index: int
    required: bool
    required_message: str
    max_len: int | None
    length_rule: validate.Length | None
    convert: Callable[[str], tuple[bool, object]] | None


def compile_checks(names: list[str]) -> list[FieldCheck]:
    """One FieldCheck per known header cell, derived from :class:`AccountCsvRowSchema`."""
    schema_fields = AccountCsvRowSchema().fields
    return [_field_check(name, index, schema_fields[name]) for index, name in enumerate(names) if name]


def _field_check(name: str, index: int, field: fields.Field) -> FieldCheck:
    length = next((v for v in field.validators if isinstance(v, validate.Length)), None)
    others = [v for v in field.validators if v is not length]
    own = None if type(field) in (fields.String, fields.Email) else field
    return FieldCheck(
        name=name,
        index=index,
        required=field.required,
        required_message=field.error_messages["required"],
        max_len=length.max if length else None,
        length_rule=length,
        convert=_converter(name, own, others) if own or others else None,
    )


def _converter(name: str, own: fields.Field | None, validators: list) -> Callable[[str], object]:
    """The field's conversion and validators, memoised per value while that pays (dates, SSN digits and
    creditor names repeat a lot; for unique columns such as e-mails the memo switches itself off)."""
    rules = [_fast(rule) for rule in validators]
    memo: dict[str, tuple[bool, object]] = {}
    tally = [0, 0]  # hits, misses

    def run(text: str) -> tuple[bool, object]:
        try:
            value = own._deserialize(text, name, None) if own is not None else text
            for rule in rules:
                rule(value)
        except ValidationError as exc:
            return False, _first(exc.messages)
        return True, value

    def convert(text: str) -> tuple[bool, object]:
        if tally[1] > MEMO_TRIAL and tally[0] < tally[1]:
            return run(text)
        hit = memo.get(text)
        if hit is not None:
            tally[0] += 1
            return hit
        tally[1] += 1
        hit = run(text)
        if len(memo) < MEMO_LIMIT:
            memo[text] = hit
        return hit

    return convert


def _fast(rule: validate.Validator) -> Callable[[object], None]:
    """marshmallow's Email check formats its error message on every call; this applies the same regexes
    and formats it only for a bad address. Other validators are used as they are."""
    if type(rule) is not validate.Email:
        return rule

    domains: dict[str, bool] = {}  # few distinct domains, and their (Unicode-aware) regex is the slow one

    def email(value: str) -> None:
        user, _, domain = value.rpartition("@")
        if not user or not rule.USER_REGEX.match(user):
            raise ValidationError(rule._format_error(value))
        ok = domains.get(domain)
        if ok is None:
            ok = domain in rule.DOMAIN_WHITELIST or rule.DOMAIN_REGEX.match(domain) is not None
            if len(domains) < MEMO_LIMIT:
                domains[domain] = ok
        if not ok:
            raise ValidationError(rule._format_error(value))

    return email


class RowValidator:
    """Validates rows as the shared schema's ``load`` would (a test holds them together), without its
    per-row machinery: a few µs a row instead of about 30. Repeated refs are caught per batch by
    :class:`SeenRefs`.
    """

    def __init__(self, header: Header):
        self.width = len(header.names)
        self.signature = "\x1f".join(header.names) + "\x1e"
        self.ref_index = header.names.index("external_ref")
        self.plan = [astuple(check) for check in compile_checks(header.names)]  # tuples: the row loop unpacks
        self.blank = dict.fromkeys(COLUMNS)

    def ref(self, cells: list[str]) -> str:
        return cells[self.ref_index].strip()[:100] if self.ref_index < len(cells) else ""

    def fingerprint(self, cells: list[str]) -> str | None:
        """A digest of the row as written (with the header's column names); ``None`` for a malformed row."""
        if len(cells) != self.width:
            return None
        return hashlib.blake2b((self.signature + "\x1f".join(cells)).encode(), digest_size=8).hexdigest()

    def check(self, line_no: int, cells: list[str]) -> Row:
        """Validate one data row; the returned Row carries either data or errors."""
        ref = self.ref(cells)
        if len(cells) != self.width:
            rule = "too few" if len(cells) < self.width else "too many"
            return Row(line_no, ref, errors=[("", f"{rule} fields: expected {self.width}, found {len(cells)}")])
        data, errors = self.load(cells)
        if errors:
            return Row(line_no, ref, errors=sorted(errors))
        return Row(line_no, ref, data=data)

    def load(self, cells: list[str]) -> tuple[dict, list[tuple[str, str]]]:
        """The row's values by column (``None`` when empty or absent) and its ``(column, message)`` errors."""
        data, errors = dict(self.blank), []
        for name, index, required, required_message, max_len, length_rule, convert in self.plan:
            text = cells[index].strip()
            if not text:
                if required:
                    errors.append((name, required_message))
                continue
            if max_len is not None and len(text) > max_len:
                errors.append((name, _message(length_rule, text)))
                continue
            if convert is not None:
                ok, text = convert(text)
                if not ok:
                    errors.append((name, text))
                    continue
            data[name] = text
        return data, errors


class SeenRefs:
    """The refs of one file and the line each first appeared on, to refuse a later repeat.

    Kept in a private temporary SQLite database (spilled to a temporary file beyond a 32 MB page cache)
    rather than a dict, so the importer's memory stays flat whatever the file size. One statement per batch
    records its refs and returns, for each, the line it was first given on.
    """

    CHUNK = 10_000  # refs per statement (two bound values each; SQLite allows 32,766)

    def __init__(self):
        self.db = sqlite3.connect("")
        for pragma in ("cache_size = -32000", "journal_mode = OFF", "synchronous = OFF"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE seen (ref TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def mark_repeats(self, rows: list[Row]) -> None:
        """Turn each valid row whose ref came earlier in the file into an error naming that line."""
        firsts: dict[str, int] = {}
        for row in rows:
            if row.data is not None:
                firsts.setdefault(row.ref, row.line_no)
        firsts.update(self._record(firsts))
        for row in rows:
            if row.data is not None and firsts[row.ref] != row.line_no:
                row.data = None
                row.errors.append(("external_ref", f"repeats the reference already given on line {firsts[row.ref]}"))

    def _record(self, firsts: dict[str, int]):
        """Store the batch's refs; yield each with the line it was first given on (maybe an earlier batch's)."""
        items = list(firsts.items())
        for start in range(0, len(items), self.CHUNK):
            chunk = items[start : start + self.CHUNK]
            values = ",".join("(?, ?)" for _ in chunk)  # placeholders only: refs and lines are bound
            sql = f"INSERT INTO seen VALUES {values} ON CONFLICT (ref) DO UPDATE SET line = line RETURNING ref, line"  # noqa: S608
            yield from self.db.execute(sql, [v for pair in chunk for v in pair])

    def close(self) -> None:
        self.db.close()


def _first(messages) -> str:
    return messages[0] if isinstance(messages, list) else str(messages)


def _message(rule, value) -> str:
    try:
        rule(value)
    except ValidationError as exc:
        return _first(exc.messages)
    return "is not valid"


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
