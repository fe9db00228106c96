"""Every route of the url map as (method, URL), for tests that must hold on all of them."""

from collections.abc import Iterator

from flask import Flask

FAKE_ID = 987654


def every_route(app: Flask, ids: dict | None = None) -> Iterator[tuple[str, str]]:
    """Each rule with each method it answers (HEAD and OPTIONS aside), its arguments filled from ``ids`` by name,
    else with a fake value: an id that exists nowhere, a token nobody holds, a real static file."""
    ids = ids or {}
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        url = adapter.build(rule.endpoint, {arg: ids.get(arg, fake_value(arg)) for arg in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def fake_value(arg: str):
    if arg.endswith("_id"):
        return FAKE_ID
    return "css/app.css" if arg == "filename" else "no-such-token"
