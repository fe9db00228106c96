"""Refs repeated within one file: a later valid row whose ref an earlier valid row already gave is refused,
naming the line it was first given on.
"""

import sqlite3
from functools import lru_cache
from itertools import chain

from app.imports.parsing import Row


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

    def mark_repeats(self, rows: list[Row], unchanged: list[tuple[str, int]]) -> list[Row]:
        """Turn each valid row whose ref came earlier in the file into an error naming that line.

        ``unchanged``: the batch's valid rows left out of ``rows`` as unchanged, ``(ref, line)``; a repeat among
        them is taken out of that list and returned as a rejected Row.
        """
        pairs = unchanged + [(row.ref, row.line_no) for row in rows if row.data is not None]
        firsts = dict(pairs)
        within = len(firsts) < len(pairs)
        if within:  # a ref given twice in this batch: the earlier line is its first
            for ref, line in pairs:
                firsts[ref] = min(firsts[ref], line)
        earlier = self._record(list(firsts.items()))
        if not (within or earlier):
            return []  # the usual case: every ref of the batch is new to the file
        firsts.update(earlier)
        for row in rows:
            if row.data is not None and firsts[row.ref] != row.line_no:
                row.data = None
                row.errors.append(_repeat(firsts[row.ref]))
        repeats = [Row(line, ref, errors=[_repeat(firsts[ref])]) for ref, line in unchanged if firsts[ref] != line]
        unchanged[:] = [(ref, line) for ref, line in unchanged if firsts[ref] == line]
        return repeats

    def _record(self, items: list[tuple[str, int]]) -> dict[str, int]:
        """Store the batch's (ref, first line) pairs; return the refs an earlier batch gave, with that line.

        A chunk whose inserts all took (the usual case) needs no second look; otherwise its refs are read back.
        """
        earlier = {}
        for start in range(0, len(items), self.CHUNK):
            chunk = items[start : start + self.CHUNK]
            before = self.db.total_changes
            self.db.execute(_insert_pairs(len(chunk)), list(chain.from_iterable(chunk)))
            if self.db.total_changes - before < len(chunk):
                earlier.update(self._earlier(dict(chunk)))
        return earlier

    def _earlier(self, chunk: dict[str, int]):
        """The refs of ``chunk`` stored from an earlier line than the chunk gives them, with that line."""
        refs = list(chunk)
        marks = ",".join("?" for _ in refs)
        for ref, line in self.db.execute(f"SELECT ref, line FROM seen WHERE ref IN ({marks})", refs):  # noqa: S608
            if line != chunk[ref]:
                yield ref, line

    def close(self) -> None:
        self.db.close()


@lru_cache(maxsize=4)
def _insert_pairs(count: int) -> str:
    values = ",".join("(?, ?)" for _ in range(count))  # placeholders only: refs and lines are bound
    return f"INSERT OR IGNORE INTO seen VALUES {values}"  # noqa: S608


def _repeat(first_line: int) -> tuple[str, str]:
    return "external_ref", f"repeats the reference already given on line {first_line}"
