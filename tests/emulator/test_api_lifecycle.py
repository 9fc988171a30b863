"""Timed transitions on a fake clock, the transitions control route, and restart persistence."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.emulator.api_harness import AUTH_TOKEN, PUBKEY_A, Api, start_server
from riva_tir.emulator.control_client import ControlError
from riva_tir.emulator.lifecycle import FakeClock
from riva_tir.emulator.server import EmulatorServer

pytestmark = pytest.mark.emulator

SECONDS = {"node.create": 10, "node.start": 5, "node.stop": 5,
           "endpoint.deploy": 20, "endpoint.start": 5, "endpoint.stop": 5}


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[EmulatorServer, FakeClock, Api]]:
    clock = FakeClock()
    server = start_server(tmp_path / "data", clock=clock, speed=SECONDS)
    yield server, clock, Api(server.url)
    server.stop()


def _status(api: Api, service: str) -> str:
    status: str = api.ok("GET", service)["status"]
    return status


def test_node_transitions_follow_the_clock(clocked: tuple[EmulatorServer, FakeClock, Api]) -> None:
    _, clock, api = clocked
    node = api.node()
    path = f"notebooks/{node['id']}/"
    assert node["status"] == "creating"
    clock.advance(9.9)
    assert _status(api, path) == "creating"
    clock.advance(0.1)
    assert _status(api, path) == "running"
    assert api.ok("PUT", f"{path}actions/", params={"action": "stop"})["status"] == "stopping"
    clock.advance(5)
    assert _status(api, path) == "stopped"
    assert api.ok("PUT", f"{path}actions/", params={"action": "start"})["status"] == "starting"
    clock.advance(4)
    assert _status(api, path) == "starting"
    clock.advance(1)
    assert _status(api, path) == "running"


def test_endpoint_transitions_follow_the_clock(clocked: tuple[EmulatorServer, FakeClock, Api]) -> None:
    _, clock, api = clocked
    endpoint = api.endpoint()
    path = f"serving/inference/{endpoint['id']}/"
    assert endpoint["status"] == "deploying"
    clock.advance(19)
    assert _status(api, path) == "deploying"
    clock.advance(1)
    assert _status(api, path) == "running"
    assert api.ok("PUT", path, json={"action": "stop"})["status"] == "terminating"
    clock.advance(5)
    assert _status(api, path) == "stopped"
    assert api.ok("PUT", path, json={"action": "start"})["status"] == "waiting"
    clock.advance(5)
    assert _status(api, path) == "running"


def test_transitions_route_changes_speed(clocked: tuple[EmulatorServer, FakeClock, Api]) -> None:
    _, _, api = clocked
    assert api.control.transition_seconds()["node.create"] == 10
    api.control.transitions("instant")
    assert api.node()["status"] == "running"
    demo = api.control.transitions("demo")
    assert 0 < demo["node.create"] <= 10
    with pytest.raises(ControlError) as bad:
        api.control.transitions({"node.explode": 1})
    assert bad.value.status == 400 and "speed" in bad.value.errors


def test_state_survives_a_restart_and_transitions_resume(tmp_path: Path) -> None:
    clock = FakeClock()
    data = tmp_path / "data"
    server = start_server(data, clock=clock, speed=SECONDS)
    api = Api(server.url)
    api.ssh_key(PUBKEY_A)
    running = api.node(name="running", public_key=[PUBKEY_A])
    clock.advance(10)
    running = api.ok("GET", f"notebooks/{running['id']}/")
    repo = api.repository()
    endpoint = api.endpoint()
    clock.advance(20)
    endpoint = api.ok("GET", f"serving/inference/{endpoint['id']}/")
    creating = api.node(name="creating")
    assert (running["status"], endpoint["status"], creating["status"]) == ("running", "running", "creating")
    url = server.url
    server.stop()

    server = start_server(data, clock=clock, speed=SECONDS)
    try:
        api = Api(server.url)
        assert server.url == url  # the last port is re-used when free
        inventory = api.control.inventory()
        assert {n["name"] for n in inventory["nodes"]} == {"running", "creating"}
        assert [r["id"] for r in inventory["model_repositories"]] == [repo["id"]]
        assert len(inventory["ssh_keys"]) == 1 and repo["bucket"]["bucket_name"] in inventory["buckets"]

        again = api.ok("GET", f"notebooks/{running['id']}/")
        assert again["status"] == "running" and again["ssh_port"] == running["ssh_port"]
        with socket.create_connection(("127.0.0.1", again["ssh_port"]), timeout=5) as sock:
            assert sock.recv(16).startswith(b"SSH-2.0")
        ep = api.ok("GET", f"serving/inference/{endpoint['id']}/")
        proxied = requests.get(f"{api.http_url(ep['id'])}health", headers={"Authorization": f"Bearer {AUTH_TOKEN}"},
                               timeout=10)
        assert ep["status"] == "running" and proxied.status_code == 200

        assert _status(api, f"notebooks/{creating['id']}/") == "creating"
        clock.advance(10)
        assert _status(api, f"notebooks/{creating['id']}/") == "running"
        assert api.node(name="later")["id"] > creating["id"]  # ids keep increasing
    finally:
        server.stop()
