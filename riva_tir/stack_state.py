"""A stack's state as `pulumi stack export --show-secrets` writes it and `pulumi stack
import` reads it back: the format riva_tir.migrate and riva_tir.recovery edit."""
from __future__ import annotations

import base64
import json
from typing import Any

from pulumi import automation as auto

# The SDK's property holding the pickled provider of a dynamic resource.
PROVIDER_KEY = "__provider"
# A secret in an export: {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": <its JSON>}; an import
# encrypts such a value with the stack's secrets provider.
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG[0]) == SECRET_SIG[1]


def reveal(value: Any) -> Any:
    """`value` with every secret in it replaced by its plaintext."""
    if is_secret(value):
        return reveal(json.loads(value["plaintext"])) if "plaintext" in value else None
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def conceal(value: Any) -> dict[str, Any]:
    """`value` as a secret the next import encrypts."""
    return {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": json.dumps(value)}


def provider_of(props: dict[str, Any]) -> Any:
    """The dynamic provider pickled in a resource's properties (None when it has none)."""
    import dill

    serialized = reveal(props.get(PROVIDER_KEY))
    return dill.loads(base64.b64decode(serialized)) if isinstance(serialized, str) else None


def export(stack: auto.Stack) -> tuple[int | None, dict[str, Any]]:
    exported = stack.export_stack()
    return exported.version, dict(exported.deployment or {})


def import_(stack: auto.Stack, version: int | None, deployment: dict[str, Any]) -> None:
    stack.import_stack(auto.Deployment(version=version, deployment=deployment))
