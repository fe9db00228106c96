"""Every route of the url map as (method, URL), for tests that must hold on all of them."""

from collections.abc import Iterator

from flask import Flask
from werkzeug.routing.converters import NumberConverter

FAKE_ID = 987654


def every_route(app: Flask, ids: dict | None = None) -> Iterator[tuple[str, str]]:
    """Each rule with each method it answers (HEAD and OPTIONS aside), its arguments filled from ``ids`` by name,
    else with a fake value: an id that exists nowhere, a token nobody holds, a real static file."""
    ids = ids or {}
    adapter = app.url_map.bind("localhost")
    numeric = numeric_arguments(app)
    for rule in app.url_map.iter_rules():
        values = {
            arg: ids.get(arg, FAKE_ID if arg in numeric[rule.endpoint] else fake_value(arg)) for arg in rule.arguments
        }
        url = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def numeric_arguments(app: Flask) -> dict[str, set[str]]:
    """Per endpoint, the arguments some rule of it converts as numbers (an endpoint may have several rules, as
    rq-dashboard's do, one with a default and one with ``<int:...>``: building picks either)."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        numbers = {arg for arg, conv in rule._converters.items() if isinstance(conv, NumberConverter)}
        found.setdefault(rule.endpoint, set()).update(numbers)
    return found


def fake_value(arg: str):
    if arg.endswith("_id"):
        return FAKE_ID
    return "css/app.css" if arg == "filename" else "no-such-token"
