"""The development server behind ``make run``: werkzeug's, without its version banner.

``flask run`` cannot be given a request handler, and werkzeug's default one names itself, its version and
Python's in every ``Server`` header. Production runs gunicorn (``deploy/gunicorn.conf.py`` does the same there).
"""

import argparse

from flask.cli import load_dotenv
from werkzeug.serving import WSGIRequestHandler, run_simple


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler with a ``Server`` header that names no software or version."""

    def version_string(self) -> str:
        return "DebtFlow"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.devserver", description="Serve DebtFlow for development.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    load_dotenv()  # as `flask run` does: .env holds local development settings
    from app import create_app

    run_simple(args.host, args.port, create_app(), threaded=True, request_handler=QuietRequestHandler)


if __name__ == "__main__":
    main()
