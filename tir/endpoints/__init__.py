from tir.endpoints.client import EndpointsClient
from tir.endpoints.commands import decode_command_list, encode_command_list
from tir.endpoints.models import Endpoint, EndpointStatus
from tir.endpoints.specs import (
    AdvanceConfig,
    AutoScalePolicy,
    Container,
    CustomEndpointDetails,
    DetailedInfo,
    EndpointSpec,
    EnvDisabled,
    EnvVariable,
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
    "EndpointsClient",
    "EnvDisabled",
    "EnvVariable",
    "Probe",
    "ResourceDetails",
    "ScaleRule",
    "decode_command_list",
    "encode_command_list",
]
