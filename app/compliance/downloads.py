"""A stored document as a download (the account page and the API answer alike)."""

import io

from flask import Response, send_file

from app.compliance.models import Document


def document_download(document: Document, content: bytes) -> Response:
    """The bytes as an attachment under the document's name (werkzeug quotes and encodes it), never sniffed."""
    response = send_file(
        io.BytesIO(content), mimetype=document.content_type, as_attachment=True, download_name=document.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["ETag"] = f'"{document.sha256}"'
    return response
