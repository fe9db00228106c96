"""The API's conventions: its OpenAPI document and docs page, paths with or without the slash, one JSON error
shape for every status, cursor lists, decimals in and out."""

import re

import pytest

from tests import factories as f


def test_the_openapi_document_is_served_at_both_addresses(anonymous, client):
    for path in ("/api/v1/schema/", "/api/v1/openapi.json", "/api/v1/schema"):
        response = client.get(path)
        assert response.status_code == 200 and response.json["openapi"].startswith("3.")
        assert "/api/v1/accounts/" in response.json["paths"]


def test_the_docs_page_runs_swagger_ui_from_our_own_files_under_the_csp(client):
    response = client.get("/api/v1/docs/")
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script ([^>]*)>", html)
    assert response.status_code == 200 and len(scripts) == 2
    assert all(f'nonce="{nonce}"' in s and 'src="/static/' in s for s in scripts)
    assert "http" not in " ".join(scripts)
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/", "/accounts"])
def test_paths_answer_with_and_without_the_slash(api_as, admin, account, path):
    response = api_as(admin).get(path)
    assert response.status_code == 200 and response.json["results"][0]["id"] == account.id


def test_a_post_without_the_slash_is_not_redirected(api_as, admin, account):
    response = api_as(admin).post(f"/accounts/{account.id}/add_note", json={"text": "Called, no answer."})
    assert response.status_code == 201 and response.json["description"] == "Called, no answer."


@pytest.mark.parametrize(
    "method,path,status",
    [("get", "/nowhere/", 404), ("get", "/accounts/999999/", 404), ("delete", "/accounts/", 405)],
)
def test_errors_are_json_in_one_shape(api_as, admin, method, path, status):
    response = getattr(api_as(admin), method)(path)
    assert response.status_code == status and response.is_json
    assert set(response.json) == {"detail", "errors"}


def test_an_anonymous_call_is_a_json_401(anonymous):
    response = anonymous.get("/accounts/")
    assert response.status_code == 401 and response.json["detail"] == "Authentication required."


def test_a_too_large_body_is_a_json_413(api_as, admin, account, app, monkeypatch):
    client = api_as(admin)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post(f"/accounts/{account.id}/add_note/", json={"text": "x" * 2000})
    assert response.status_code == 413 and set(response.json) == {"detail", "errors"}


def test_validation_errors_name_their_fields(api_as, admin, account):
    response = api_as(admin).post(f"/accounts/{account.id}/transition/", json={"new_status": "bogus", "x": 1})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"new_status", "x"}


def test_malformed_json_is_a_400(api_as, admin, account):
    client = api_as(admin)
    headers = {"Content-Type": "application/json"}
    for body in ("{", '{"text": NaN}'):
        response = client.post(f"/accounts/{account.id}/add_note/", data=body, headers=headers)
        assert response.status_code == 400 and set(response.json) == {"detail", "errors"}


def test_money_is_a_decimal_string(api_as, admin, account):
    row = api_as(admin).get("/accounts/").json["results"][0]
    assert row["current_balance"] == "1000.00" and row["original_amount"] == "1000.00"


def test_lists_page_by_cursor_both_ways(api_as, admin, agency):
    accounts = [f.AccountFactory(agency=agency) for _ in range(5)]
    client = api_as(admin)
    first = client.get("/accounts/?page_size=2&ordering=created_at")
    assert first.json["previous"] is None
    second = client.client.get(first.json["next"], headers=client.headers())
    third = client.client.get(second.json["next"], headers=client.headers())
    back = client.client.get(third.json["previous"], headers=client.headers())
    ids = [r["id"] for page in (first, second, third) for r in page.json["results"]]
    assert ids == [a.id for a in accounts] and third.json["next"] is None
    assert back.json["results"] == second.json["results"]


@pytest.mark.parametrize("query", ["page_size=201", "page_size=0", "cursor=%25%25", "cursor=eyJvIjoxfQ"])
def test_bad_page_sizes_and_cursors_are_refused(api_as, admin, account, query):
    response = api_as(admin).get(f"/accounts/?{query}")
    assert response.status_code in (400, 422) and set(response.json) == {"detail", "errors"}


def test_keyset_lists_page_by_id(api_as, admin, account):
    client = api_as(admin)
    for n in range(3):
        client.post(f"/accounts/{account.id}/add_note/", json={"text": f"note {n}"})
    first = client.get(f"/accounts/{account.id}/timeline/?page_size=2")
    second = client.client.get(first.json["next"], headers=client.headers())
    back = client.client.get(second.json["previous"], headers=client.headers())
    assert [r["description"] for r in first.json["results"]] == ["note 2", "note 1"]
    assert [r["description"] for r in back.json["results"]] == ["note 2", "note 1"]
    assert second.json["results"][0]["description"] == "note 0"
