"""Endpoints: Triton and custom containers, actions, autoscaling, the data-plane URL, failures."""

from __future__ import annotations

import pytest
import requests
from pydantic import SecretStr

from riva_tir.ingress import SERVING, health_status
from tests.contract.harness import AUTH_TOKEN, CPU_PLAN, NO_INVENTORY_PLAN, Contract, upload_triton_model
from riva_tir.tir import CapacityError, NotFound, ResourceFailed, ValidationFailed
from riva_tir.tir.endpoints import AutoScalePolicy, EndpointSpec, EnvVariable, ScaleRule
from riva_tir.tir.model_repositories import RepositorySpec

pytestmark = pytest.mark.emulator

COMMANDS = ["/bin/sh", "-c"]
ARGS = ["nginx -g 'daemon off;'", "--port=8080"]


def test_triton_endpoint_serves_through_http_url_and_the_ingress(contract: Contract) -> None:
    client = contract.client
    repo = client.model_repositories.create(RepositorySpec(name="triton-repo"))
    upload_triton_model(repo, prefix="models/")
    plan = client.plans.resolve_endpoint_plan(CPU_PLAN, "triton")
    spec = EndpointSpec(name="triton-ep", framework="triton", model_id=repo.id, path="models/",
                        sku_id=plan.sku_id, sku_item_price_id=plan.sku_item_price_id)
    created = client.endpoints.create(spec)
    endpoint = client.endpoints.wait_ready(created.id, timeout=30)
    assert endpoint.status == "running" and endpoint.framework == "triton" and endpoint.sku == plan.sku_id
    assert endpoint.model is not None and endpoint.model["id"] == repo.id

    url = client.endpoints.http_url(endpoint.id)
    ready = requests.get(f"{url}v2/health/ready", headers={"Authorization": f"Bearer {AUTH_TOKEN}"}, timeout=10)
    assert ready.status_code == 200
    assert requests.get(f"{url}v2/health/ready", timeout=10).status_code == 401
    # gRPC through the ingress with the target the client composes (docs/tir.md §8.9).
    target = client.endpoints.grpc_target(endpoint.id)
    assert target.metadata == {"svc": f"is-{endpoint.id}", "e2e-project": str(client.config.project_id)}
    assert health_status(target, AUTH_TOKEN) == SERVING


def test_custom_endpoint_round_trip_and_actions(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    contract.control.transitions({"endpoint.deploy": 0.3, "endpoint.stop": 0.3, "endpoint.start": 0.3})
    env = EnvVariable(key="MODEL_KEY", value=SecretStr("tlt-encode-secret"))
    spec = contract.custom_spec("web-ep", commands=COMMANDS, args=ARGS, env=(env,))
    created = endpoints.create(spec)
    assert created.status == "deploying" and created.detailed_info is not None
    assert (created.detailed_info.commands, created.detailed_info.args) == (COMMANDS, ARGS)
    endpoint = endpoints.wait_ready(created.id, timeout=30)
    details = endpoint.custom_endpoint_details
    assert details is not None and details.container is not None
    assert details.container.container_name == "nginx:latest"
    assert details.resource_details is not None
    (got_env,) = details.resource_details.env_variables
    assert got_env.value.get_secret_value() == "tlt-encode-secret"
    assert "tlt-encode-secret" not in repr(endpoint)
    served = requests.get(endpoints.http_url(endpoint.id), headers={"Authorization": f"Bearer {AUTH_TOKEN}"},
                          timeout=10)
    assert served.status_code == 200

    endpoints.update(endpoint.id, spec.model_copy(update={"replica": 2}))
    patched = endpoints.wait_ready(endpoint.id, timeout=30)
    assert patched.replica == 2 and patched.detailed_info is not None and patched.detailed_info.args == ARGS

    endpoints.stop(endpoint.id)
    assert endpoints.wait_stopped(endpoint.id, timeout=30).status == "stopped"
    endpoints.update(endpoint.id, spec.model_copy(update={"replica": 3}), action="update")
    endpoints.start(endpoint.id)
    started = endpoints.wait_ready(endpoint.id, timeout=30)
    assert started.status == "running" and started.replica == 3
    endpoints.restart(endpoint.id)
    assert endpoints.wait_ready(endpoint.id, timeout=30).status == "running"
    actions = contract.control.requests("PUT", f"serving/inference/{endpoint.id}/")
    assert [a["status"] for a in actions] == [200] * 5  # patch, stop, update, start, restart: once each

    deleted = endpoints.delete(endpoint.id)
    assert deleted is not None and deleted.id == endpoint.id and deleted.name == "web-ep"
    endpoints.wait_deleted(endpoint.id, timeout=10)
    with pytest.raises(NotFound):
        endpoints.get(endpoint.id)
    assert contract.control.inventory()["endpoints"] == []


def test_autoscaling_update_and_disable(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    endpoint = endpoints.wait_ready(endpoints.create(contract.custom_spec("scale-ep", commands=[], args=[])).id)
    assert endpoint.is_auto_scale_enabled is False and endpoint.replica == 1

    policy = AutoScalePolicy(min_replicas=0, max_replicas=3, rules=[ScaleRule(metric="concurrency", value=4)],
                             stability_period=120)
    endpoints.update_auto_scale(endpoint.id, policy)
    scaled = endpoints.get(endpoint.id)
    assert scaled.is_auto_scale_enabled is True and scaled.status == "idle" and scaled.is_ready
    assert scaled.auto_scale_policy is not None
    assert (scaled.auto_scale_policy.min_replicas, scaled.auto_scale_policy.max_replicas) == (0, 3)
    assert scaled.auto_scale_policy.stability_period == 120
    assert [(r.metric, r.value) for r in scaled.auto_scale_policy.rules] == [("concurrency", 4)]

    endpoints.disable_auto_scale(endpoint.id, replicas=2)
    fixed = endpoints.get(endpoint.id)
    assert fixed.is_auto_scale_enabled is False and fixed.replica == 2 and fixed.status == "running"


def test_create_refusals(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    plan = contract.client.plans.resolve_endpoint_plan(CPU_PLAN, "triton")
    with pytest.raises(ValidationFailed) as caught:
        endpoints.create(EndpointSpec(name="orphan-ep", framework="triton", model_id=999_999,
                                      sku_id=plan.sku_id, sku_item_price_id=plan.sku_item_price_id))
    assert "model_id" in caught.value.field_errors

    with pytest.raises(CapacityError) as full:
        endpoints.create(contract.custom_spec("gpu-ep", commands=[], args=[], plan=NO_INVENTORY_PLAN))
    assert full.value.attempts == 2 and "sku_id=" in (full.value.plan or "")
    assert contract.control.inventory()["endpoints"] == []


def test_failed_endpoint_raises_with_the_reason(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    endpoint = endpoints.create(contract.custom_spec("crash-ep", commands=["false"], args=[]))
    contract.control.fail("endpoint", endpoint.id, "CrashLoopBackOff: exit code 1")
    with pytest.raises(ResourceFailed, match="CrashLoopBackOff: exit code 1"):
        endpoints.wait_ready(endpoint.id, timeout=10)
    failed = endpoints.get(endpoint.id)
    assert failed.is_failed and failed.failure_reason == "CrashLoopBackOff: exit code 1"


def test_committed_endpoint_cannot_be_stopped(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    hourly = contract.custom_spec("committed-ep", commands=[], args=[])
    sku = contract.client.plans.resolve_endpoint_plan(CPU_PLAN, "custom").sku
    committed = next(p for p in sku.plans if p.committed_days > 0)
    spec = hourly.model_copy(update={"sku_item_price_id": committed.sku_item_price_id,
                                     "committed_instance_policy": "auto_terminate", "committed_replicas": 1})
    endpoint = endpoints.wait_ready(endpoints.create(spec).id)
    assert endpoint.sku_details is not None and endpoint.sku_details.plan is not None
    assert endpoint.sku_details.plan.committed_days == committed.committed_days
    with pytest.raises(ValidationFailed):
        endpoints.stop(endpoint.id)
    assert endpoints.get(endpoint.id).status == "running"
