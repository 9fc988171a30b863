"""`python -m riva_tir.doctor --stack <stack>` (scripts/doctor): the stack's config and
secrets as `pulumi config` shows them, the checks, the table, the exit status."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from riva_tir import NAMESPACE
from riva_tir.config import ConfigError, StackConfig, validate
from riva_tir.deployment import DEFAULT_NAME
from riva_tir.doctor import diagnose
from riva_tir.doctor.report import StackSecrets, render
from riva_tir.ingress import TOKEN_ENV
from riva_tir.providers.names import NAMES_TYPE
from riva_tir.stack_state import reveal


def load_stack(stack: str, resources: list[dict[str, Any]]) -> tuple[StackConfig, StackSecrets]:
    """The stack's config and secrets, as `pulumi config` shows them (run in the project folder),
    the generated key pair from its state (`resources`); the token from $TIR_AUTH_TOKEN when
    set, as the other commands take it."""
    shown = json.loads(subprocess.run(["pulumi", "config", "--json", "--show-secrets", "--stack", stack],
                                      check=True, capture_output=True, text=True).stdout)
    values: dict[str, Any] = {}
    for key, entry in shown.items():
        if key.startswith(f"{NAMESPACE}:"):
            values[key.split(":", 1)[1]] = entry.get("objectValue", entry.get("value"))
    config = validate({k: v for k, v in values.items() if k in _config_keys()}, StackConfig)
    token = os.environ.get(TOKEN_ENV) or str(values.get("tirAuthToken", ""))
    return config, StackSecrets(api_key=str(values.get("tirApiKey", "")), auth_token=token,
                                ssh_private_key=values.get("sshPrivateKey") or _state_private_key(resources))


def _config_keys() -> set[str]:
    return {f.alias or name for name, f in StackConfig.model_fields.items()}


def _state(stack: str) -> list[dict[str, Any]]:
    """The stack's resources as its state records them, secrets shown ([] before any `up`)."""
    exported = subprocess.run(["pulumi", "stack", "export", "--show-secrets", "--stack", stack],
                              capture_output=True, text=True)
    if exported.returncode != 0:
        return []
    return list(json.loads(exported.stdout).get("deployment", {}).get("resources") or [])


def _state_private_key(resources: list[dict[str, Any]]) -> str | None:
    """The key pair riva-tir generated for the stack's node, from its state."""
    for resource in resources:
        if str(resource.get("urn", "")).endswith("-ssh-keypair"):
            key = reveal((resource.get("outputs") or {}).get("private_key"))
            return key if isinstance(key, str) else None
    return None


def _state_names(resources: list[dict[str, Any]]) -> str | None:
    """The prefix of the stack's TIR names (DeploymentNames), None before the first `up`."""
    for resource in resources:
        if resource.get("type") == NAMES_TYPE and str(resource.get("urn", "")).endswith(f"::{DEFAULT_NAME}-names"):
            outputs = resource.get("outputs") or {}
            return "-".join(p for p in (outputs.get("prefix"), outputs.get("suffix")) if p)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/doctor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--probe-node", action="store_true", help="create the cheapest node to read its record "
                                                                  "when the stack has no running node of its own "
                                                                  "(costs up to one hour of that plan)")
    parser.add_argument("--yes", action="store_true", help="confirm --probe-node")
    args = parser.parse_args(argv)
    if args.probe_node and not args.yes:
        parser.error("--probe-node creates a billed node for a few minutes: add --yes to confirm")
    try:
        resources = _state(args.stack)  # one export for the key pair and the names
        config, keys = load_stack(args.stack, resources)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    report = diagnose(args.stack, config, keys, _state_names(resources), probe_node=args.probe_node)
    render(report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
