"""Fixtures: one emulator per session; every test runs once per URL style on a reset emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.harness import API_KEY, AUTH_TOKEN, URL_STYLES, Contract, RecordingSleep, make_client
from riva_tir.emulator import EmulatorServer


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    server = EmulatorServer(port=0, data_dir=tmp_path_factory.mktemp("contract-emulator"), speed="instant",
                            api_key=API_KEY, auth_token=AUTH_TOKEN, seed=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=URL_STYLES)
def contract(request: pytest.FixtureRequest, emulator: EmulatorServer) -> Iterator[Contract]:
    control = emulator.control
    control.reset()
    control.transitions("instant")
    sleep = RecordingSleep()
    client = make_client(emulator, request.param, sleep)
    with client:
        yield Contract(client, control, emulator, sleep)
