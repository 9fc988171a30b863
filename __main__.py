"""riva-tir's stack program: the stack config (stacks/Pulumi.<stack>.yaml) as one RivaDeployment."""
import pulumi

from riva_tir import config
from riva_tir.args import RivaDeploymentArgs
from riva_tir.deployment import DEFAULT_NAME, RivaDeployment
from riva_tir.verification import transcribe_command, verify_command

try:
    stack = config.load()
except config.ConfigError as exc:
    raise pulumi.RunError(str(exc)) from None

deployment = RivaDeployment(DEFAULT_NAME, RivaDeploymentArgs(
    **{name: getattr(stack, name) for name in type(stack).model_fields},
    tir_api_key=config.required_secret("tirApiKey"),
    tir_auth_token=config.required_secret("tirAuthToken"),
    model_key=config.secret("modelKey"),
    ssh_private_key=config.secret("sshPrivateKey"),
    ngc_api_key=config.secret("ngcApiKey"),
    repository_secret_key=config.secret("repositorySecretKey"),
))

# gRPC from outside TIR: the location's ingress, TLS, with this metadata and the auth token
# as x-auth-token on every call (docs/tir.md §8.9).
pulumi.export("riva_grpc", deployment.riva_grpc)
pulumi.export("triton_grpc", deployment.triton_grpc)
pulumi.export("triton_http_url", deployment.triton_http_url)
pulumi.export("models", deployment.models)
pulumi.export("speech_models", deployment.speech_models)
pulumi.export("services", deployment.services)
pulumi.export("name_prefix", deployment.name_prefix)
pulumi.export("node_id", deployment.node_id)
pulumi.export("repository_id", deployment.repository_id)
pulumi.export("triton_endpoint_id", deployment.triton_endpoint_id)
pulumi.export("riva_endpoint_id", deployment.riva_endpoint_id)
pulumi.export("transcribe_command", transcribe_command(pulumi.get_stack()))
pulumi.export("verify_command", verify_command(pulumi.get_stack()))
