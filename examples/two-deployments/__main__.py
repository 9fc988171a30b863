"""A Pulumi program of its own that deploys two Riva services with riva-tir: one per
language team, sharing the stack's TIR settings. Each `RivaDeployment` gets its own TIR
names, resources and outputs (README "Ownership")."""
import pulumi

from riva_tir import RivaDeployment, RivaDeploymentArgs
from riva_tir import config as riva_config

settings = riva_config.load()  # the stack's `riva-tir:` keys, as the riva-tir project reads them
for team, replicas in (("asr-en", 1), ("asr-hi", 1)):
    deployment = RivaDeployment(team, RivaDeploymentArgs(
        tir=settings.tir, node=settings.node, model=settings.model, riva_api=settings.riva_api,
        # Any section's values may be Inputs: here the team's Triton size as an Output.
        triton={**settings.triton.model_dump(exclude_unset=True), "replicas": pulumi.Output.from_input(replicas)},
        tir_api_key=riva_config.required_secret("tirApiKey"),
        tir_auth_token=riva_config.required_secret("tirAuthToken"),
    ))
    pulumi.export(f"{team}_names", deployment.name_prefix)
    pulumi.export(f"{team}_riva_grpc", deployment.riva_grpc)
