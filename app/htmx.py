"""htmx helpers: render a whole page or just one of its blocks, and HX-* response headers."""

from flask import Response, make_response, render_template
from jinja2_fragments.flask import render_block

from app.extensions import htmx


def wants_fragment() -> bool:
    """True for a plain htmx request; boosted and history-restore requests need the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **ctx) -> Response:
    """Render ``block`` of ``template`` for htmx requests, else the full page."""
    if block and wants_fragment():
        body = render_block(template, block, **ctx)
    else:
        body = render_template(template, **ctx)
    return make_response(body, status)


def render_blocks(template: str, blocks: list[str], status: int = 200, **ctx) -> Response:
    """Render several blocks (the first is the target, the rest carry ``hx-swap-oob``) for htmx."""
    if not wants_fragment():
        return make_response(render_template(template, **ctx), status)
    body = "".join(render_block(template, name, **ctx) for name in blocks)
    return make_response(body, status)


def hx_redirect(response: Response, url: str) -> Response:
    response.headers["HX-Redirect"] = url
    return response
