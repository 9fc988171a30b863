"""The policy pack's image rule, on the inputs of each kind (node catalog image, node
registry image, endpoint containers)."""
from __future__ import annotations

from typing import Any

import pytest

from policies.guardrails import ENDPOINTS, NODE, Limits, images_pinned

LIMITS = Limits(gpu_plans=frozenset(), max_replicas=10, riva_api_min_replicas=1)
REGISTRY = "registry.e2enetworks.net/team/riva-speech"


def _endpoint(image: str) -> dict[str, Any]:
    return {"container": {"container": {"container_name": image}}}


@pytest.mark.parametrize(("kind", "props", "pinned"), [
    (NODE, {"image_version": "2.19.0"}, True),
    (NODE, {"image_version": "latest"}, False),
    (NODE, {"image_version": "2.19.0", "registry_image": f"{REGISTRY}:2.19.0"}, True),
    (NODE, {"image_version": "2.19.0", "registry_image": f"{REGISTRY}:latest"}, False),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}:2.19.0"), True),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}:latest"), False),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}@sha256:{'0' * 64}"), True),
])
def test_images_pinned(kind: str, props: dict[str, Any], pinned: bool) -> None:
    assert (images_pinned(kind, props, LIMITS) == []) is pinned
