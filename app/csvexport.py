"""Streamed CSV downloads of whole lists: rows are written as they are read, so memory stays flat in the
list's length, and every cell goes through the one formula-neutralising rule (``app.csvcells``)."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from flask import Response, stream_with_context

from app.agencyday import local_time
from app.csvcells import neutralise

CHUNK_ROWS = 500  # rows per chunk handed to the server: fewer, larger writes than one per row


def stream_csv(filename: str, header: list[str], rows: Iterable, finish: Callable[[int, bool], None]) -> Response:
    """A CSV attachment streamed from ``rows`` (an iterator of cell sequences).

    ``finish(rows_sent, complete)`` runs once when the stream ends, also when the client goes away midway
    (``complete`` is then False): the caller records the export there."""
    body = stream_with_context(_chunks(header, rows, finish))
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    return Response(body, mimetype="text/csv", headers=headers)


def _chunks(header: list[str], rows: Iterable, finish: Callable[[int, bool], None]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    sent, complete = 0, False
    try:
        for row in rows:
            writer.writerow([neutralise(cell) for cell in row])
            sent += 1
            if sent % CHUNK_ROWS == 0:
                yield _drain(buffer)
        yield _drain(buffer)
        complete = True
    finally:
        _close(rows)
        finish(sent, complete)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _close(rows: Iterable) -> None:
    """Close a database result early (a server-side cursor on PostgreSQL) before the caller writes."""
    close = getattr(rows, "close", None)
    if close:
        close()


def stamp(instant: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp as the agency's wall-clock time (empty when there is none)."""
    return local_time(instant, tz).strftime(fmt) if instant else ""
