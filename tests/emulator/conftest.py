"""Fixtures of the emulator tests: an API emulator per module (`emulator`, reset per test as
`api`) and the machinery on its own (`store`, `host`, `node`), each started only when asked for."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.emulator.api_harness import Api, start_server
from tests.emulator.machinery_harness import NGC_KEY, USER_KEY, Node, public
from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.objectstore import ObjectStore
from riva_tir.emulator.server import EmulatorServer

_node_ids = itertools.count(1001)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """One instant-speed emulator per test module."""
    server = start_server(tmp_path_factory.mktemp("emulator"))
    yield server
    server.stop()


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    """A clean emulator for each test (reset through the control API)."""
    client = Api(emulator.url)
    client.control.reset()
    client.control.transitions("instant")
    return client


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    objectstore = ObjectStore(tmp_path_factory.mktemp("eos"))
    objectstore.start()
    yield objectstore
    objectstore.stop()


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MachineHost]:
    machines = MachineHost(tmp_path_factory.mktemp("machines"), ngc_api_key=NGC_KEY)
    machines.start()
    yield machines
    machines.stop()


@pytest.fixture
def node(host: MachineHost) -> Iterator[Node]:
    """A powered-on node that USER_KEY can log in to; destroyed afterwards."""
    node_id = next(_node_ids)
    port = host.power_on(node_id, [public(USER_KEY)])
    yield Node(host, node_id, port)
    host.destroy(node_id)
