"""A Pulumi program of its own that deploys two Riva services with riva-tir: one per
language team, sharing the stack's TIR settings. Each `RivaDeployment` gets its own TIR
names, resources and outputs (README "Ownership")."""
import pulumi

from riva_tir import RivaDeployment, RivaDeploymentSecrets
from riva_tir import config as riva_config

settings = riva_config.load()  # the stack's `riva-tir:` keys, as the riva-tir project reads them
secrets = RivaDeploymentSecrets(
    tir_api_key=riva_config.secret("tirApiKey"),
    tir_auth_token=riva_config.secret("tirAuthToken"),
    model_key=riva_config.secret("modelKey", default="tlt_encode"),
)
for team in ("asr-en", "asr-hi"):
    deployment = RivaDeployment(team, settings, secrets)
    pulumi.export(f"{team}_names", deployment.name_prefix)
    pulumi.export(f"{team}_riva_grpc", deployment.riva_grpc)
