"""Rules for raw input that hold for every request, checked once before any view runs.

PostgreSQL refuses a NUL character in text, so a NUL reaching a query or an insert is a 500 there (and a
silently truncated value in some drivers). No legitimate form field, query parameter, path or JSON string
holds one, so a request carrying one is refused as a whole, with a 400 naming the field, before anything is
read or written.
"""

from flask import Flask, request

from app.errors import DomainError

NUL = "\x00"


class InvalidCharacters(DomainError):
    status, code = 400, "invalid_characters"


def has_nul(text: str | None) -> bool:
    """Whether ``text`` holds a NUL; None (a multipart part without a name, say) holds none."""
    return NUL in (text or "")


def first_field_with_nul() -> str | None:
    """The name of the first part of the request (path, query parameter, form field, file name, JSON value)
    that holds a NUL character, or ``None``."""
    if has_nul(request.path):
        return "path"
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if has_nul(name) or has_nul(value):
                return (name or "").replace(NUL, "")
    for name, upload in request.files.items(multi=True):
        if has_nul(upload.filename or ""):
            return name
    if request.is_json and _json_has_nul(request.get_json(silent=True)):
        return "body"
    return None


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return has_nul(value)
    if isinstance(value, dict):
        return any(has_nul(str(key)) or _json_has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


def refuse_nul() -> None:
    """``before_request``: raise InvalidCharacters (400) for a request holding a NUL anywhere it is read."""
    name = first_field_with_nul()
    if name is not None:
        message = f"The request contains invalid characters (a NUL byte) in {name!r}."
        raise InvalidCharacters(message, {name: "Contains invalid characters."})


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
