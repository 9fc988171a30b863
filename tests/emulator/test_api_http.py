"""Routing, auth, envelope, URL styles, scoping, pagination and rate-limit headers."""

from __future__ import annotations

import pytest

import requests
from tests.emulator.api_harness import API_KEY, AUTH_TOKEN, ROOT, Api

from riva_tir.emulator.server import EmulatorServer


pytestmark = pytest.mark.emulator

def test_missing_or_wrong_credentials_get_401_envelope_without_echo(api: Api) -> None:
    cases = [
        {"api_key": None},
        {"api_key": "wrong-key-123"},
        {"token": None},
        {"token": "wrong-token-456"},
    ]
    for kwargs in cases:
        response = api.call("GET", "notebooks/", **kwargs)  # type: ignore[arg-type]
        body = response.json()
        assert response.status_code == 401 and body["code"] == 401 and body["data"] is None
        assert body["message"] == "Validation Failed, Invalid APIkey or Token"
        assert "wrong-key-123" not in response.text and "wrong-token-456" not in response.text
        assert API_KEY not in response.text and AUTH_TOKEN not in response.text


def test_new_style_without_project_id_is_400_naming_the_field(api: Api) -> None:
    response = requests.get(f"{api.url}{ROOT}notebooks/", params={"apikey": API_KEY},
                            headers={"Authorization": f"Bearer {AUTH_TOKEN}"}, timeout=10)
    assert response.status_code == 400
    assert "project_id" in response.json()["errors"]


def test_both_url_styles_share_one_store(api: Api) -> None:
    created = api.ssh_key()
    node = api.node(public_key=[created["ssh_key"]])
    legacy = Api(api.url, legacy=True)
    assert legacy.ok("GET", f"notebooks/{node['id']}/")["name"] == "node-a"
    via_legacy = legacy.node(name="node-b")
    names = [n["name"] for n in api.ok("GET", "notebooks/")]
    assert names == ["node-a", "node-b"] and via_legacy["id"] > node["id"]


def test_other_project_and_other_location_do_not_see_the_resource(api: Api) -> None:
    node = api.node()
    api.error("GET", f"notebooks/{node['id']}/", 404, params={"project_id": 78})
    assert Api(api.url, location="Chennai").ok("GET", "notebooks/") == []
    assert Api(api.url, location=None).ok("GET", f"notebooks/{node['id']}/")["location"] == "Delhi"
    body = api.error("GET", "notebooks/", 400, params={"location": "Atlantis"})
    assert "location" in body["errors"]


def test_unknown_route_and_unknown_id_are_404_envelopes(api: Api) -> None:
    body = api.error("GET", "no-such-service/", 404)
    assert body["errors"]
    body = api.error("GET", "notebooks/999999/", 404)
    assert "not found" in body["message"]


def test_missing_trailing_slash_redirects_to_the_slashed_path(api: Api) -> None:
    response = requests.get(f"{api.url}{ROOT}gpu_service/image", params={"apikey": API_KEY},
                            headers={"Authorization": f"Bearer {AUTH_TOKEN}"}, allow_redirects=False, timeout=10)
    assert response.status_code == 308
    assert response.headers["Location"].split("?")[0].endswith("/gpu_service/image/")


def test_pagination_slices_and_data_stays_an_array(api: Api) -> None:
    for i in range(5):
        api.node(name=f"n{i}")
    page = api.ok("GET", "notebooks/", params={"page_no": 2, "per_page": 2})
    assert [n["name"] for n in page] == ["n2", "n3"]
    assert api.ok("GET", "notebooks/", params={"page_no": 4, "per_page": 2}) == []
    assert len(api.ok("GET", "notebooks/")) == 5
    assert "per_page" in api.error("GET", "notebooks/", 400, params={"per_page": 0})["errors"]


def test_paging_mode_ignores_per_page(api: Api) -> None:
    for i in range(5):
        api.node(name=f"n{i}")
    api.control.paging(ignore_per_page=True, page_size=2)
    # Fewer than asked: the server's own page size, page_no still honoured.
    assert [n["name"] for n in api.ok("GET", "notebooks/", params={"page_no": 2, "per_page": 100})] == ["n2", "n3"]
    api.control.paging(ignore_per_page=True)
    # More than asked: the whole list on every page.
    assert len(api.ok("GET", "notebooks/", params={"page_no": 3, "per_page": 1})) == 5
    api.control.reset()
    assert api.control.paging_mode() == {"ignore_per_page": False, "page_size": None}


def test_active_iam_is_ignored_and_ratelimit_headers_are_sent(api: Api) -> None:
    response = api.call("GET", "notebooks/", params={"active_iam": 42})
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == "1200"
    assert int(response.headers["ratelimit-remaining"]) < 1200
    # Seconds remaining in the 60 s window, not an epoch (docs/tir.md §2).
    assert 0 < int(response.headers["ratelimit-reset"]) <= 60


def test_malformed_json_body_is_400(api: Api) -> None:
    response = requests.post(api.path("notebooks/"), params={"apikey": API_KEY, "project_id": "77"},
                             data="[1, 2", headers={"Authorization": f"Bearer {AUTH_TOKEN}",
                                                   "Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400 and "body" in response.json()["errors"]


def test_request_log_masks_credentials(api: Api, emulator: EmulatorServer) -> None:
    api.control.clear_requests()
    api.call("GET", "notebooks/")
    api.call("GET", "notebooks/", api_key="wrong-key-123")
    log = api.control.requests()
    assert [entry["status"] for entry in log] == [200, 401]
    assert all("apikey=***" in entry["path"] for entry in log)
    text = str(log)
    assert API_KEY not in text and "wrong-key-123" not in text and AUTH_TOKEN not in text
    assert log[0]["method"] == "GET" and log[0]["duration_ms"] >= 0 and log[0]["fault"] is None
