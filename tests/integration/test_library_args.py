"""RivaDeploymentArgs in a user's own program, through real `pulumi preview` runs: bad values,
plain or Outputs, fail the preview naming the args' field and the fix; an Output where a
plain value decides the resources is refused by name; nothing is created."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.integration.harness import Deployment, open_stack, running_emulator

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

PROGRAM = """
import pulumi

from riva_tir import RivaDeployment, RivaDeploymentArgs, config

settings = config.load()
out = pulumi.Output.from_input
RivaDeployment("team", RivaDeploymentArgs(
    tir=settings.tir, node=settings.node, model=settings.model, riva_api=settings.riva_api,
    triton={{"plan": settings.triton.plan, "replicas": {replicas}, "image": settings.triton.image,
             "registry_namespace_id": settings.triton.registry_namespace_id}},
    models={models},
    tir_api_key=config.required_secret("tirApiKey"), tir_auth_token="plain-{token}"))
"""
CASES = {
    "plain value": ("-1", "[]", ["RivaDeploymentArgs.triton.replicas", "greater than or equal to 0"]),
    "output value": ("out(-1)", "[]", ["RivaDeploymentArgs.triton.replicas", "greater than or equal to 0"]),
    "type confusion": ("out(True)", "[]", ["RivaDeploymentArgs.triton.replicas", "must be a number"]),
    "output where plain": ("1", "[out({'kind': 'punctuation', 'ngc': 'nvidia/riva/p:1'})]",
                           ["RivaDeploymentArgs.models[0]", "must be a plain value", "decides which resources"]),
    "entry": ("1", "[{'kind': 'tts', 'voice': 'a b'}]", ["RivaDeploymentArgs.models.0.voice", "pattern"]),
}


def _program(dep: Deployment, replicas: str, models: str) -> None:
    (dep.tmp / "project" / "__main__.py").write_text(textwrap.dedent(PROGRAM.format(
        replicas=replicas, models=models, token="x")))


def test_bad_args_fail_the_preview_by_field(tmp_path: Path) -> None:
    with running_emulator(tmp_path / "emulator") as emulator:
        dep = open_stack(tmp_path, emulator, "lib")
        for case, (replicas, models, fragments) in CASES.items():
            _program(dep, replicas, models)
            with pytest.raises(auto.CommandError) as failed:
                dep.stack.preview()
            text = str(failed.value)
            assert all(f in text for f in fragments), f"{case}: {text[-1500:]}"
        assert not any(dep.inventory()[kind] for kind in ("nodes", "endpoints", "model_repositories"))
