"""Validating placement rows as the one marshmallow schema says, fast.

:class:`RowValidator` turns a record of :func:`~app.imports.parsing.read_rows` into a :class:`Row`;
:class:`~app.imports.repeats.SeenRefs` then refuses a later valid row whose ref an earlier one already gave.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import astuple, dataclass
from operator import itemgetter

from marshmallow import ValidationError, fields, validate

from app.imports.parsing import Header, Row, Unreadable
from app.imports.schemas import (
    COLUMNS,
    FREE_TEXT_COLUMNS,
    ITEMIZATION_COLUMNS,
    AccountCsvRowSchema,
    NoCardOrSsn,
    itemization_errors,
)
from app.sensitive import SUSPECT, finding

MEMO_LIMIT = 20_000
MEMO_TRIAL = 2_000  # misses before a memo that mostly misses is switched off
# An address every RFC-minded checker accepts: dot-separated ASCII atoms, "@", dot-separated ASCII labels
# (letters, digits, inner hyphens, at most 63 characters each) and a top-level domain of 2 to 6 letters. A
# strict subset of what marshmallow's Email accepts (test_validation holds the two together), so a match needs
# no further check.
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PLAIN_EMAIL = re.compile(rf"{ATOM}(?:\.{ATOM})*@(?:{LABEL}\.)+[A-Za-z]{{2,6}}")


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
    parse = _parser(field)
    # The card/SSN rule is applied to a row's free-text cells at once (RowValidator.sensitive), not per cell.
    kept = [v for v in field.validators if v is not length and not isinstance(v, NoCardOrSsn)]
    others = [] if parse == field.deserialize else kept
    return FieldCheck(
        name=name,
        index=index,
        required=field.required,
        required_message=field.error_messages["required"],
        max_len=length.max if length else None,
        length_rule=length,
        convert=_converter(parse, others) if parse or others else None,
    )


def _parser(field: fields.Field) -> Callable[[str], object] | None:
    """What the field turns a trimmed, non-empty text into: nothing for text fields, the schema's own parser
    for its amount and date fields, else the field's public ``deserialize`` (which also runs its validators)."""
    if type(field) in (fields.String, fields.Email):
        return None
    return getattr(field, "parse", None) or field.deserialize


def _converter(parse: Callable[[str], object] | None, validators: list) -> Callable[[str], tuple[bool, object]]:
    """The field's conversion and validators, memoised per value while that pays (dates, SSN digits and
    creditor names repeat a lot; for unique columns such as e-mails the memo switches itself off)."""
    rules = [_fast(rule) for rule in validators]
    memo: dict[str, tuple[bool, object]] = {}
    tally = [0, 0]  # hits, misses

    def run(text: str) -> tuple[bool, object]:
        try:
            value = parse(text) if parse is not None else text
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
    """marshmallow's Email check is slow for the common address (it formats its error message on every call,
    and its domain pattern is Unicode-aware): an address of the plain shape :data:`PLAIN_EMAIL` describes,
    which that check accepts too, passes at once; any other goes to the check itself. Other validators are
    used as they are."""
    if type(rule) is not validate.Email:
        return rule

    def email(value: str) -> None:
        if PLAIN_EMAIL.fullmatch(value) is None:
            rule(value)

    return email


class RowValidator:
    """Validates rows as the shared schema's ``load`` would (a test holds them together), without its
    per-row machinery (a schema load builds and walks several dicts and error stores per row). Repeated refs
    are caught per batch by :class:`SeenRefs`.
    """

    def __init__(self, header: Header):
        self.width = len(header.names)
        # The digest of every row starts from the header's column names: hashed once, copied per row.
        self.signed = hashlib.blake2b(("\x1f".join(header.names) + "\x1e").encode(), digest_size=8)
        self.ref_index = header.names.index("external_ref")
        self.plan = [astuple(check) for check in compile_checks(header.names)]  # tuples: the row loop unpacks
        # A file without itemization columns costs nothing for them: its rows have no such keys (the writer
        # asks the first row of a batch) and are not checked as an itemization.
        self.itemized = any(name in ITEMIZATION_COLUMNS for name in header.names)
        self.blank = dict.fromkeys(c for c in COLUMNS if self.itemized or c not in ITEMIZATION_COLUMNS)
        if self.itemized:
            self.load = self.load_itemized
        self.names = header.names
        self.free_text = [i for i, name in enumerate(header.names) if name in FREE_TEXT_COLUMNS]
        # Every checked row's free-text cells are searched for a card number or an SSN as one string, with a
        # cheap first look (app.sensitive.SUSPECT); C-level getters keep that under a microsecond a row.
        self.free_cells = _tuple_getter(self.free_text)
        self.suspect = SUSPECT.search

    def ref(self, cells: list[str]) -> str:
        return self.refs([(0, cells)])[0]

    def refs(self, records: list[tuple[int, list[str]]]) -> list[str]:
        """The external ref of each record (one comprehension: this runs for every row of every re-import)."""
        at = self.ref_index
        return [cells[at].strip()[:100] if at < len(cells) else "" for _, cells in records]

    def fingerprints(self, records: list[tuple[int, list[str]]]) -> list[str | None]:
        """For each record, a digest of the row as written (with the header's column names); ``None`` for a
        row with the wrong number of fields."""
        signed, width = self.signed, self.width

        def digest(cells: list[str]) -> str:
            copy = signed.copy()
            copy.update("\x1f".join(cells).encode())
            return copy.hexdigest()

        return [digest(cells) if len(cells) == width else None for _, cells in records]

    def check(self, line_no: int, cells: list[str]) -> Row:
        """Validate one data row; the returned Row carries either data or errors."""
        ref = self.ref(cells)
        if len(cells) != self.width:
            if isinstance(cells, Unreadable):
                return Row(line_no, ref, errors=[(cells.column, cells.message)])
            rule = "too few" if len(cells) < self.width else "too many"
            return Row(line_no, ref, errors=[("", f"{rule} fields: expected {self.width}, found {len(cells)}")])
        data, errors = self.load(cells)
        if self.free_text and self.suspect("\x1f".join(self.free_cells(cells))):
            errors += self.sensitive(cells, {name for name, _ in errors})
        if errors:
            return Row(line_no, ref, errors=sorted(errors))
        return Row(line_no, ref, data=data)

    def sensitive(self, cells: list[str], refused: set[str]) -> list[tuple[str, str]]:
        """``(column, message)`` for each free-text cell holding a card number or a full SSN (bar the columns
        already ``refused`` for another rule, as the schema reports one message per column)."""
        found = ((self.names[i], finding(cells[i])) for i in self.free_text if self.names[i] not in refused)
        return [(name, reason) for name, reason in found if reason is not None]

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

    def load_itemized(self, cells: list[str]) -> tuple[dict, list[tuple[str, str]]]:
        """:meth:`load`, then the itemization as a whole (as the schema checks it: only when every cell passed)."""
        data, errors = RowValidator.load(self, cells)
        return data, errors or itemization_errors(data)


def _tuple_getter(indexes: list[int]) -> Callable[[list], tuple]:
    """A C-level getter of the cells at ``indexes`` as a tuple (``itemgetter`` of one index gives a bare value)."""
    if len(indexes) == 1:
        at = indexes[0]
        return lambda cells: (cells[at],)
    return itemgetter(*indexes)


def _first(messages) -> str:
    return messages[0] if isinstance(messages, list) else str(messages)


def _message(rule, value) -> str:
    try:
        rule(value)
    except ValidationError as exc:
        return _first(exc.messages)
    return "is not valid"
