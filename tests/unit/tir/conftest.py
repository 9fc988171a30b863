"""Shared fixtures: a client wired to a fake clock, ``responses`` mocking and JSON payloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from riva_tir.tir import Backoff, TirClient, TirConfig

API_KEY = "apikey-0f9e8d7c-secret-uuid"
AUTH_TOKEN = "eyJhbGciOiJSUzI1NiJ9.token-secret-payload.sig"
ROOT = "https://tir.test/myaccount/api/v1/gpu/"
PROJECT = 34
TEAM = 12
FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    """Monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def envelope(data: Any, code: int = 200, message: str = "Success", errors: Any = None) -> dict[str, Any]:
    return {"code": code, "data": data, "errors": errors if errors is not None else {}, "message": message}


@dataclass(frozen=True)
class Call:
    """One recorded request, decoded for assertions."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


class Api:
    """Registers TIR replies on ``responses`` and decodes what the client sent."""

    API_KEY = API_KEY
    AUTH_TOKEN = AUTH_TOKEN
    ROOT = ROOT
    PROJECT = PROJECT
    TEAM = TEAM

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.style = "project-query"

    def path(self, path: str, scoped: bool = True) -> str:
        prefix = urlsplit(ROOT).path
        if scoped and self.style == "team-scoped":
            return f"{prefix}teams/{TEAM}/projects/{PROJECT}/{path}"
        return prefix + path

    def reply(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        status: int = 200,
        scoped: bool = True,
        json_body: Any = None,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
        exc: Exception | None = None,
    ) -> None:
        """Queue one reply; replies to the same URL are served in order."""
        url = "https://tir.test" + self.path(path, scoped)
        if exc is not None:
            self.mock.add(method, url, body=exc)
        elif raw is not None:
            self.mock.add(method, url, body=raw, status=status, headers=headers)
        else:
            body = json_body if json_body is not None else envelope(data, code=status)
            self.mock.add(method, url, json=body, status=status, headers=headers)

    @property
    def calls(self) -> list[Call]:
        out = []
        for call in self.mock.calls:
            req = call.request
            url = req.url or ""
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
            body = json.loads(req.body) if req.body else None
            out.append(Call(req.method or "", urlsplit(url).path, query, body, dict(req.headers)))
        return out


def make_config(**overrides: Any) -> TirConfig:
    values: dict[str, Any] = {
        "api_root": ROOT,
        "api_key": API_KEY,
        "auth_token": AUTH_TOKEN,
        "project_id": PROJECT,
        "team_id": TEAM,
        "max_retries": 3,
        "capacity_retries": 2,
    }
    values.update(overrides)
    return TirConfig(**values)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., TirClient]]:
    made: list[TirClient] = []

    def factory(**overrides: Any) -> TirClient:
        client = TirClient(
            make_config(**overrides), sleep=clock.sleep, clock=clock, backoff=Backoff(initial=1.0, maximum=8.0)
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TirClient]) -> TirClient:
    return make_client()


@pytest.fixture
def api() -> Iterator[Api]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield Api(mock)


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def sku_catalog() -> dict[str, Any]:
    return _load("skus.json")  # type: ignore[no-any-return]


@pytest.fixture
def image_catalog() -> list[dict[str, Any]]:
    return _load("images.json")  # type: ignore[no-any-return]


@pytest.fixture
def node_payload() -> dict[str, Any]:
    return _load("node.json")  # type: ignore[no-any-return]


@pytest.fixture
def repository_payload() -> dict[str, Any]:
    return _load("repository.json")  # type: ignore[no-any-return]


@pytest.fixture
def endpoint_payload() -> dict[str, Any]:
    return _load("endpoint.json")  # type: ignore[no-any-return]
