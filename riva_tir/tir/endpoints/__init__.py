"""Endpoints: models and request specs. The client is `tir.endpoints.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.endpoints.commands import decode_command_list, encode_command_list
from riva_tir.tir.endpoints.models import Endpoint, EndpointStatus, GrpcTarget
from riva_tir.tir.endpoints.specs import (
    AdvanceConfig,
    AutoScalePolicy,
    Container,
    CustomEndpointDetails,
    DetailedInfo,
    EndpointSpec,
    EnvDisabled,
    EnvVariable,
    PrivateImageDetails,
    Probe,
    ResourceDetails,
    ScaleRule,
)

__all__ = [
    "AdvanceConfig",
    "AutoScalePolicy",
    "Container",
    "CustomEndpointDetails",
    "DetailedInfo",
    "Endpoint",
    "EndpointSpec",
    "EndpointStatus",
    "EnvDisabled",
    "EnvVariable",
    "GrpcTarget",
    "PrivateImageDetails",
    "Probe",
    "ResourceDetails",
    "ScaleRule",
    "decode_command_list",
    "encode_command_list",
]
