"""N Riva deployments in one stack (benchmark 6): the product's RivaDeployment, once per
deployment, each with its own name prefix and one of a few models."""
import json

import pulumi

from riva_tir import config
from riva_tir.args import RivaDeploymentArgs
from riva_tir.deployment import RivaDeployment

bench = pulumi.Config("bench")
count = int(bench.require("deployments"))
models = json.loads(bench.require("models"))
stack = config.load()


if stack.model is None:
    raise pulumi.RunError("riva-tir:model is not set: the benchmark deploys one ASR model per deployment")
settings = {name: getattr(stack, name) for name in type(stack).model_fields}
for i in range(count):
    model = stack.model.model_copy(update={"file": models[i % len(models)]})
    deployment = RivaDeployment(f"riva{i}", RivaDeploymentArgs(
        **{**settings, "name_prefix": f"{stack.name_prefix}-{i}", "model": model},
        tir_api_key=config.required_secret("tirApiKey"), tir_auth_token=config.required_secret("tirAuthToken")))
    pulumi.export(f"riva{i}", deployment.riva_grpc)
