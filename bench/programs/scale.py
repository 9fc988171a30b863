"""N Riva deployments in one stack (benchmark 6): the product's RivaDeployment, once per
deployment, each with its own name prefix and one of a few models."""
import json

import pulumi

from riva_tir import config
from riva_tir.deployment import RivaDeployment, RivaDeploymentSecrets

bench = pulumi.Config("bench")
count = int(bench.require("deployments"))
models = json.loads(bench.require("models"))
stack = config.load()


def _secret(key: str, default: str | None = None) -> pulumi.Output[str]:
    value = config.secret(key, default)
    if value is None:
        raise pulumi.RunError(f"riva-tir:{key} is not set")
    return value


secrets = RivaDeploymentSecrets(tir_api_key=_secret("tirApiKey"), tir_auth_token=_secret("tirAuthToken"),
                                model_key=_secret("modelKey", "tlt_encode"))
if stack.model is None:
    raise pulumi.RunError("riva-tir:model is not set: the benchmark deploys one ASR model per deployment")
for i in range(count):
    model = stack.model.model_copy(update={"file": models[i % len(models)]})
    deployment = RivaDeployment(f"riva{i}", stack.model_copy(update={
        "name_prefix": f"{stack.name_prefix}-{i}", "model": model}), secrets)
    pulumi.export(f"riva{i}", deployment.riva_grpc)
