"""Ownership (docs/day2.md, "Ownership"): every deployment's TIR names carry its own random
suffix, kept in its state, and a create never takes over a name: same-named stacks of two
checkouts share one TIR project without touching each other, two deployments share one
program, and a foreign resource under one of a deployment's names fails `up` untouched."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from riva_tir.tir.model_repositories.specs import RepositorySpec
from tests.integration.harness import FULL_STACK, Deployment, open_stack, running_emulator, triton_index

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

EMPTY = dict.fromkeys(FULL_STACK, 0)


def _outputs(result: auto.UpResult) -> dict[str, Any]:
    return {k: v.value for k, v in result.outputs.items()}


def _serving(out: dict[str, Any]) -> bool:
    return all(m["state"] == "READY" for m in triton_index(out["triton_grpc"])["models"])


def test_same_named_stacks_of_two_checkouts_and_a_foreign_name(tmp_path: Path) -> None:
    with running_emulator(tmp_path / "emulator") as emulator:
        # Two checkouts: two project folders, two state backends, one stack name.
        mine, theirs = open_stack(tmp_path / "mine", emulator, "iso"), open_stack(tmp_path / "theirs", emulator, "iso")
        try:
            out, other = _outputs(mine.stack.up()), _outputs(theirs.stack.up())
            assert out["name_prefix"].startswith("rt-iso-") and other["name_prefix"].startswith("rt-iso-")
            assert out["name_prefix"] != other["name_prefix"]
            assert mine.counts(out["name_prefix"]) == FULL_STACK == mine.counts(other["name_prefix"])

            theirs.stack.destroy()
            assert mine.counts() == FULL_STACK and mine.counts(out["name_prefix"]) == FULL_STACK
            assert _serving(out)
            mine.stack.preview(expect_no_changes=True)

            _foreign_repository_under_my_name(mine, out)
        finally:
            theirs.stack.destroy()
            mine.stack.destroy()
        assert mine.counts() == EMPTY


def _foreign_repository_under_my_name(dep: Deployment, out: dict[str, Any]) -> None:
    """The repository deleted in the dashboard and its name taken by someone else's: `up`
    fails naming it and the setting to change, and leaves it alone."""
    name = f"{out['name_prefix']}-repo"
    with dep.tir() as tir:
        tir.model_repositories.delete(out["repository_id"])
        tir.model_repositories.wait_deleted(out["repository_id"])
        foreign = tir.model_repositories.create(RepositorySpec(name=name))
    dep.stack.refresh()
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    text = str(info.value)
    assert f"TIR already has a model repository named {name} (id {foreign.id})" in text
    assert "riva-tir:namePrefix" in text and "riva_tir.recovery" in text
    with dep.tir() as tir:
        assert tir.model_repositories.get(foreign.id).name == name  # untouched
        tir.model_repositories.delete(foreign.id)
        tir.model_repositories.wait_deleted(foreign.id)
    dep.stack.up()
    assert dep.counts() == FULL_STACK


PROGRAM = """
import pulumi

from riva_tir import RivaDeployment, RivaDeploymentArgs, config

stack = config.load()
settings = {name: getattr(stack, name) for name in type(stack).model_fields}
for name in ("riva", "riva-b"):
    args = RivaDeploymentArgs(**settings, tir_api_key=config.required_secret("tirApiKey"),
                              tir_auth_token=config.required_secret("tirAuthToken"))
    pulumi.export(name, RivaDeployment(name, args).name_prefix)
"""


def test_two_deployments_in_one_program(tmp_path: Path) -> None:
    with running_emulator(tmp_path / "emulator") as emulator:
        dep = open_stack(tmp_path, emulator, "pair")
        (tmp_path / "project" / "__main__.py").write_text(textwrap.dedent(PROGRAM))
        try:
            out = _outputs(dep.stack.up())
            assert out["riva"].startswith("rt-pair-") and out["riva-b"].startswith("rt-pair-riva-b-")
            assert dep.counts() == {k: 2 * n for k, n in FULL_STACK.items()}
            assert dep.counts(out["riva"]) == FULL_STACK == dep.counts(out["riva-b"])
            dep.stack.preview(expect_no_changes=True)
        finally:
            dep.stack.destroy()
        assert dep.counts() == EMPTY
