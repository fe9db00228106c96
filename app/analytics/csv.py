"""CSV downloads of the analytics tables, safe to open in a spreadsheet (no formula injection)."""

import csv
import io

from flask import Response

from app.csvcells import neutralise


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A small CSV attachment (analytics tables are at most a few hundred rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(buffer.getvalue(), mimetype="text/csv", headers=headers)
