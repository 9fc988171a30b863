"""Spec rules and the readable ``field_errors`` view that providers' check() uses."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from riva_tir.tir import TirConfig, field_errors
from riva_tir.tir.endpoints import AutoScalePolicy, Container, CustomEndpointDetails, EndpointSpec, ScaleRule
from riva_tir.tir.model_repositories import RepositorySpec
from riva_tir.tir.nodes import NodeSpec
from riva_tir.tir.ssh_keys import SshKeySpec


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return dict(field_errors(exc.value))


@pytest.mark.parametrize("name", ["", "Riva", "riva_node", "-riva", "riva-", "riva--node", "a" * 51, "ünï"])
def test_bad_names_rejected_with_readable_message(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        NodeSpec(name=name, image_version_id=1, sku_item_price_id=1)
    assert _errors(info)["name"].startswith("must be at most 50 lowercase letters, digits and single hyphens")


@pytest.mark.parametrize("name", ["a", "7", "rt-local-node", "a" * 50, "1st-node-2"])
def test_names_tir_accepts(name: str) -> None:
    assert NodeSpec(name=name, image_version_id=1, sku_item_price_id=1).name == name


def test_nested_paths_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        EndpointSpec(
            name="riva-api",
            framework="triton",
            sku_id=1,
            sku_item_price_id=2,
            replica=-1,
            is_auto_scale_enabled=True,
            auto_scale_policy=AutoScalePolicy(min_replicas=1, max_replicas=1, rules=[ScaleRule(value=1)]),
            detailed_info={"commands": ["x"], "unknown": 1},  # type: ignore[arg-type]
        )
    errs = _errors(info)
    assert errs["model_id"] == "required for framework 'triton' (a model repository id)"
    assert errs["replica"] == "Input should be greater than or equal to 0"
    assert errs["detailed_info.unknown"] == "Extra inputs are not permitted"


def test_min_le_max_and_rule_paths() -> None:
    with pytest.raises(ValidationError) as info:
        AutoScalePolicy.model_validate({"min_replicas": 3, "max_replicas": 2, "rules": [{"value": 0}]})
    errs = _errors(info)
    assert errs["max_replicas"] == "must be >= min_replicas (3)"
    assert errs["rules[0].value"] == "Input should be greater than 0"


def test_custom_endpoint_needs_container_and_autoscale_needs_policy() -> None:
    with pytest.raises(ValidationError) as info:
        EndpointSpec(name="riva-api", framework="custom", sku_id=1, sku_item_price_id=2, is_auto_scale_enabled=True)
    errs = _errors(info)
    assert set(errs) == {"auto_scale_policy", "custom_endpoint_details"}


def test_repository_rules_and_secret_masking() -> None:
    with pytest.raises(ValidationError) as info:
        RepositorySpec(name="riva-models", storage_type="external", bucket_name="Bad_Bucket")
    assert set(_errors(info)) == {"bucket_name", "access_key", "secret_key"}
    spec = RepositorySpec(
        name="riva-models",
        storage_type="external",
        bucket_name="my-bucket",
        access_key="AK",
        secret_key=SecretStr("top-secret"),
    )
    assert "top-secret" not in repr(spec) and "top-secret" not in str(spec.model_dump())
    assert spec.to_wire()["secret_key"] == "top-secret"
    with pytest.raises(ValidationError):
        RepositorySpec(name="riva-models", bucket_name="x-bucket")  # managed must not name a bucket


def test_node_spec_rules() -> None:
    with pytest.raises(ValidationError) as info:
        NodeSpec(name="riva-node", sku_item_price_id=1, disk_size_in_gb=10, public_key=["-----BEGIN OPENSSH PRIVATE"])
    errs = _errors(info)
    assert errs["image_version_id"] == "required for image_type 'pre-built'"
    assert errs["disk_size_in_gb"] == "Input should be greater than or equal to 30"
    assert errs["public_key[0]"].startswith("must be an OpenSSH public key line")
    with pytest.raises(ValidationError, match="extra"):
        NodeSpec(name="riva-node", image_version_id=1, sku_item_price_id=1, bogus=1)  # type: ignore[call-arg]


def test_ssh_key_spec() -> None:
    with pytest.raises(ValidationError) as info:
        SshKeySpec(label="", ssh_key="not a key at all")
    assert set(_errors(info)) == {"label", "ssh_key"}


def test_container_image_reference_checked() -> None:
    with pytest.raises(ValidationError) as info:
        CustomEndpointDetails(
            container=Container(container_name="nvcr.io/nvidia/riva:2.19.0"),
            public_ip="maybe",  # type: ignore[arg-type]
        )
    assert set(_errors(info)) == {"public_ip"}


def test_config_names_team_id_for_legacy_style() -> None:
    with pytest.raises(ValidationError) as info:
        TirConfig(api_key=SecretStr("k"), auth_token=SecretStr("t"), project_id=1, url_style="team-scoped")
    assert _errors(info) == {"team_id": "required with the team-scoped URL style: set the team id, "
                                        "or use the project-query style"}
    config = TirConfig(api_key=SecretStr("k"), auth_token=SecretStr("t"), project_id=1, api_root="http://127.0.0.1:1/x")
    assert config.api_root == "http://127.0.0.1:1/x/"
