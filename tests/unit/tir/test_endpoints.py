"""Endpoints: create bodies (base64 commands/args), parsing, actions, URL composition."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from riva_tir.tir import ResourceFailed, ServerError, TirClient
from riva_tir.tir.endpoints import (
    AdvanceConfig,
    AutoScalePolicy,
    Container,
    CustomEndpointDetails,
    DetailedInfo,
    EndpointSpec,
    EndpointStatus,
    EnvVariable,
    Probe,
    ResourceDetails,
    ScaleRule,
    decode_command_list,
    encode_command_list,
)

ARGS = ["--model-store=/mnt/models", "--http-port=8080", "--grpc-port=9000"]


def _triton_spec() -> EndpointSpec:
    return EndpointSpec(
        name="riva-triton",
        framework="triton",
        model_id=301,
        path="models/",
        sku_id=21,
        sku_item_price_id=211,
        replica=1,
        is_auto_scale_enabled=True,
        auto_scale_policy=AutoScalePolicy(min_replicas=1, max_replicas=2, rules=[ScaleRule(value=4)]),
        custom_endpoint_details=CustomEndpointDetails(
            container=Container(
                container_name="aimle2e/tritonserver:24.02-py3-01",
                advance_config=AdvanceConfig(is_readiness_probe_enabled=True, readiness_probe=Probe()),
            ),
            resource_details=ResourceDetails(
                disk_size=60, env_variables=[EnvVariable(key="NGC_KEY", value=SecretStr("ngc-model-key-secret"))]
            ),
        ),
        detailed_info=DetailedInfo(commands=["tritonserver"], args=ARGS),
    )


def test_create_triton_body(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("POST", "serving/inference/", endpoint_payload, status=201)
    endpoint = client.endpoints.create(_triton_spec())
    assert endpoint.id == 901 and endpoint.status == EndpointStatus.DEPLOYING
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "/myaccount/api/v1/gpu/serving/inference/")
    body = call.body
    keys = ("name", "framework", "model_id", "path", "sku_id", "sku_item_price_id", "replica")
    assert {k: body[k] for k in keys} == {
        "name": "riva-triton", "framework": "triton", "model_id": 301, "path": "models/", "sku_id": 21,
        "sku_item_price_id": 211, "replica": 1,
    }
    assert body["is_auto_scale_enabled"] is True
    assert body["auto_scale_policy"] == {
        "min_replicas": 1, "max_replicas": 2, "stability_period": "300",
        "rules": [{"metric": "concurrency", "condition_type": "limit", "value": 4, "watch_period": 60}],
    }
    details = body["custom_endpoint_details"]
    assert details["container"]["container_name"] == "aimle2e/tritonserver:24.02-py3-01"
    assert details["container"]["advance_config"]["readiness_probe"]["port"] == 8080
    assert details["resource_details"]["env_variables"] == [
        {"key": "NGC_KEY", "value": "ngc-model-key-secret", "required": False,
         "disabled": {"key": False, "value": False}}
    ]
    assert details["public_ip"] == "no" and details["service_port"] is False
    assert json.loads(base64.b64decode(body["detailed_info"]["commands"])) == ["tritonserver"]
    assert json.loads(base64.b64decode(body["detailed_info"]["args"])) == ARGS


def test_create_custom_sends_null_model(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("POST", "serving/inference/", {**endpoint_payload, "framework": "custom"}, status=201)
    spec = EndpointSpec(
        name="riva-api", framework="custom", sku_id=11, sku_item_price_id=111,
        custom_endpoint_details=CustomEndpointDetails(container=Container(container_name="nvcr.io/nvidia/riva:2.19.0")),
    )
    client.endpoints.create(spec)
    body = api.calls[0].body
    assert body["model_id"] is None and "auto_scale_policy" not in body
    assert body["detailed_info"] == {"commands": encode_command_list([]), "args": encode_command_list([])}


def test_secret_env_value_masked_in_spec_repr() -> None:
    spec = _triton_spec()
    assert "ngc-model-key-secret" not in repr(spec) and "ngc-model-key-secret" not in str(spec.model_dump())


def test_get_decodes_commands_and_lenient_fields(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("GET", "serving/inference/901/", endpoint_payload)
    ep = client.endpoints.get(901)
    assert ep.detailed_info is not None
    assert ep.detailed_info.commands == ["tritonserver"] and ep.detailed_info.args[0] == "--model-store=/mnt/models"
    assert ep.auto_scale_policy is not None and ep.auto_scale_policy.stability_period == 300
    assert "ngc-model-key-secret" not in repr(ep)
    assert not ep.is_ready


@pytest.mark.parametrize(
    "wire",
    [
        ["a", "b c"],
        base64.b64encode(b'["a", "b c"]').decode(),
        base64.b64encode(repr(["a", "b c"]).encode()).decode(),  # SDK style: Python repr
        '["a", "b c"]',
    ],
)
def test_command_list_decoding_accepts_all_forms(wire: Any) -> None:
    assert decode_command_list(wire) == ["a", "b c"]


def test_command_list_round_trip_and_garbage() -> None:
    items = ["tritonserver", "--model-repository=/mnt/models", "it's \"quoted\""]
    assert decode_command_list(encode_command_list(items)) == items
    assert decode_command_list("") == [] and decode_command_list(None) == []
    with pytest.raises(ValueError):
        decode_command_list(base64.b64encode(b"rm -rf /").decode())


def test_actions_put_action_bodies(client: TirClient, api: Any) -> None:
    for _ in range(5):
        api.reply("PUT", "serving/inference/901/", {})
    client.endpoints.stop(901)
    client.endpoints.start(901)
    client.endpoints.restart(901)
    client.endpoints.update_auto_scale(901, AutoScalePolicy(min_replicas=0, max_replicas=3, rules=[ScaleRule(value=2)]))
    client.endpoints.disable_auto_scale(901, replicas=1)
    bodies = [c.body for c in api.calls]
    assert [b["action"] for b in bodies] == ["stop", "start", "restart", "update_auto_scale", "disable_auto_scale"]
    assert bodies[3]["auto_scale_policy"]["min_replicas"] == 0 and bodies[4]["replicas"] == 1
    assert all(c.path == "/myaccount/api/v1/gpu/serving/inference/901/" for c in api.calls)


def test_patch_sends_full_spec_with_action(client: TirClient, api: Any) -> None:
    api.reply("PUT", "serving/inference/901/", {})
    client.endpoints.update(901, _triton_spec())
    body = api.calls[0].body
    assert body["action"] == "patch" and body["name"] == "riva-triton" and body["model_id"] == 301


def test_restart_is_not_retried_but_stop_is(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("PUT", "serving/inference/901/", json_body={"code": 503, "message": "busy"}, status=503)
    with pytest.raises(ServerError, match="503"):
        client.endpoints.restart(901)
    api.reply("PUT", "serving/inference/902/", json_body={"code": 503, "message": "busy"}, status=503)
    # Before re-sending, the client checks whether the lost stop took effect: it did not.
    api.reply("GET", "serving/inference/902/", {**endpoint_payload, "id": 902, "status": "Running"})
    api.reply("PUT", "serving/inference/902/", {})
    client.endpoints.stop(902)
    assert [c.method for c in api.calls] == ["PUT", "PUT", "GET", "PUT"]


def test_lost_stop_that_took_effect_is_not_resent(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("PUT", "serving/inference/902/", json_body={"code": 503, "message": "busy"}, status=503)
    api.reply("GET", "serving/inference/902/", {**endpoint_payload, "id": 902, "status": "Terminating"})
    client.endpoints.stop(902)
    assert [c.method for c in api.calls] == ["PUT", "GET"]


def test_delete_returns_the_object(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("DELETE", "serving/inference/901/", {**endpoint_payload, "status": "Done"})
    deleted = client.endpoints.delete(901)
    assert deleted is not None and deleted.id == 901 and deleted.status == EndpointStatus.DONE


def test_wait_ready_accepts_idle_and_fails_on_error(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("GET", "serving/inference/901/", {**endpoint_payload, "status": "Idle"})
    assert client.endpoints.wait_ready(901, timeout=10).status == "idle"
    api.reply("GET", "serving/inference/902/", {**endpoint_payload, "id": 902, "status": "Failed"})
    with pytest.raises(ResourceFailed, match="failed"):
        client.endpoints.wait_ready(902, timeout=10)


def test_wait_stopped(client: TirClient, api: Any, endpoint_payload: Any) -> None:
    api.reply("GET", "serving/inference/901/", {**endpoint_payload, "status": "Terminating"})
    api.reply("GET", "serving/inference/901/", {**endpoint_payload, "status": "Stopped"})
    assert client.endpoints.wait_stopped(901, timeout=60).status == EndpointStatus.STOPPED


def test_data_plane_addresses_per_location(make_client: Callable[..., TirClient]) -> None:
    delhi = make_client()
    assert delhi.endpoints.http_url(901) == "https://infer.e2enetworks.net/project/p-34/endpoint/is-901/"
    target = delhi.endpoints.grpc_target(901)
    assert target.address == "infer-grpc.e2enetworks.net:9000" and target.ca_file is None
    assert target.call_metadata("tok") == [("x-auth-token", "tok"), ("svc", "is-901"), ("e2e-project", "34")]
    chennai = make_client(location="Chennai", data_planes={
        "Chennai": {"http": "https://infer-chennai.example/", "grpc": "grpc-chennai.example:443", "caFile": "/ca.pem"}})
    assert chennai.endpoints.http_url(5) == "https://infer-chennai.example/project/p-34/endpoint/is-5/"
    assert chennai.endpoints.grpc_target(5).address == "grpc-chennai.example:443"
    assert chennai.endpoints.grpc_target(5).ca_file == "/ca.pem"
    assert chennai.config.data_planes["Delhi"].grpc == "infer-grpc.e2enetworks.net:9000"  # defaults stay


def test_a_location_without_a_data_plane_has_no_addresses(make_client: Callable[..., TirClient]) -> None:
    with pytest.raises(ValueError, match="no data plane for location 'Chennai'.*dataPlanes.Chennai"):
        make_client(location="Chennai").endpoints.grpc_target(5)


@pytest.mark.parametrize(("framework", "details", "reached"), [
    ("triton", None, True),
    ("custom", {"service_port": True}, True),  # the "HTTP Port" box ticked
    ("custom", {"service_port": False}, False),
    ("custom", None, False),
])
def test_which_endpoints_the_grpc_ingress_reaches(framework: str, details: Any, reached: bool) -> None:
    from riva_tir.tir.endpoints import Endpoint

    endpoint = Endpoint.model_validate({"id": 5, "name": "e", "status": "running", "framework": framework,
                                        "custom_endpoint_details": details})
    assert endpoint.grpc_through_ingress is reached
