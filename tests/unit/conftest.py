"""Unit tests make no network calls: any TCP/UDP connect, DNS look-up or listen fails the
test that tries it (HTTP is mocked with `responses`, Pulumi with its mocks)."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkCall(AssertionError):
    """A unit test tried to use the network."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise NetworkCall("unit tests make no network calls: mock it, or move the test to tests/emulator")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        refuse()

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse())
    monkeypatch.setattr(socket.socket, "bind", lambda self, address: refuse())
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    yield
