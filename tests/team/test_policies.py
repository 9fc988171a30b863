"""The guardrail policy pack (policies/) on real previews against the emulator.

A compliant `prod` stack is deployed with the pack (every policy passes, including
no-plaintext-secrets on the real program); then each policy is broken by one config
change and must be the one that fails the preview. GPU plans: a `dev` stack asking for
prod's A100s. Plain-string secrets: a small program that passes TIR credentials plainly.
"""
from __future__ import annotations

import re
import textwrap

import pytest
from pulumi import automation as auto

from tests.integration.harness import PRIVATE_RIVA_IMAGE
from tests.team.stacks import POLICY_PACK, Team
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

POLICIES = ["gpu-plan-allowlist", "gpu-memory", "riva-api-min-replicas", "autoscaling-bounds", "images-pinned",
            "monthly-budget", "no-plaintext-secrets"]
COMPLIANT = {"riva-tir:rivaApi.autoscaling.minReplicas": 2, "riva-tir:rivaApi.autoscaling.maxReplicas": 4,
             "riva-tir:rivaApi.autoscaling.metric": "requestRate", "riva-tir:rivaApi.autoscaling.target": 50}


def violations(output: str) -> set[str]:
    return set(re.findall(r"\[mandatory\]\s+([a-z-]+)\s", output))


def failing_preview(stack: auto.Stack) -> str:
    with pytest.raises(auto.CommandError) as failed:
        stack.preview(policy_packs=[POLICY_PACK])
    return str(failed.value)


def test_each_policy_passes_then_fails(team: Team) -> None:
    stack = team.stack("prod", COMPLIANT)
    up = stack.up(policy_packs=[POLICY_PACK])
    assert up.summary.result == "succeeded"
    assert "riva-tir-guardrails" in up.stdout and not violations(up.stdout)

    breaks = {
        "riva-api-min-replicas": ("riva-tir:rivaApi.autoscaling.minReplicas", 1, "needs at least 2"),
        "autoscaling-bounds": ("riva-tir:rivaApi.autoscaling.maxReplicas", 40, "exceeds the stack's budget of 10"),
        "images-pinned": ("riva-tir:triton.image", PRIVATE_RIVA_IMAGE.replace(":2.19.0", ":latest"), "not pinned"),
    }
    restore = {**COMPLIANT, "riva-tir:triton.image": PRIVATE_RIVA_IMAGE}
    for policy, (key, value, message) in breaks.items():
        stack.set_config(key, auto.ConfigValue(str(value)), path=True)
        output = failing_preview(stack)
        assert violations(output) == {policy}, output
        assert message in output
        if key in restore:
            stack.set_config(key, auto.ConfigValue(str(restore[key])), path=True)
        else:
            stack.remove_config(key, path=True)
    stack.preview(policy_packs=[POLICY_PACK], expect_no_changes=True)


def test_dev_stack_allows_one_replica_but_not_prod_gpus(team: Team) -> None:
    # Limits are per stack: dev may run one Riva API server, but not prod's A100s.
    # Node and Triton share a GPU type (the stack config requires it); dev allows no A100.
    stack = team.stack("dev", {"riva-tir:node.plan": "GPU-A100-16-115GB-1",
                               "riva-tir:triton.plan": "GPU-A100-16-115GB-1"})
    output = failing_preview(stack)
    # Two A100s also cost more a month than dev's budget allows.
    assert violations(output) == {"gpu-plan-allowlist", "monthly-budget"}
    assert "gpu-plan-allowlist  (pulumi-python:dynamic/tir:TirNode: riva-node)" in output
    assert "'GPU-A100-16-115GB-1' is not allowed for this stack; allowed: GPU-L4-8-48GB-1" in output


PLAIN_PROGRAM = """
    import pulumi
    from riva_tir.providers.ssh_key import TirSshKey

    config = pulumi.Config()
    credentials = {{"api_key": {api_key!r}, "auth_token": {auth_token!r}}}
    TirSshKey("key", {{
        "tir": {{"api_root": config.require("apiRoot"), "project_id": 1}},
        "credentials": credentials if config.get_bool("plain") else pulumi.Output.secret(credentials),
        "label": "policy-test", "public_key": config.require("publicKey")}})
"""


def test_plaintext_secrets_fail(team: Team) -> None:
    project = team.tmp / "plain"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: plain\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent(PLAIN_PROGRAM.format(
        api_key=DEFAULT_API_KEY, auth_token=DEFAULT_AUTH_TOKEN)))
    team.project = project
    stack = team.stack("dev")
    stack.set_config("apiRoot", auto.ConfigValue(team.emulator.api_root))
    stack.set_config("publicKey", auto.ConfigValue(team.ssh_key[0]))

    stack.set_config("plain", auto.ConfigValue("false"))
    passed = stack.preview(policy_packs=[POLICY_PACK])
    assert "riva-tir-guardrails" in passed.stdout and not violations(passed.stdout)

    stack.set_config("plain", auto.ConfigValue("true"))
    output = failing_preview(stack)
    assert violations(output) == {"no-plaintext-secrets"}
    assert "input 'credentials' is a plain string" in output
    assert DEFAULT_API_KEY not in output


def test_over_budget_fails_naming_the_stack_the_figure_and_the_limit(team: Team) -> None:
    # dev's budget is 200,000 a month; a second Triton replica on the emulator's L4 (95/h)
    # makes 3 x 69,350 + 4,380 + 625 (docs/cost.md).
    stack = team.stack("dev", {"riva-tir:triton.replicas": 2})
    output = failing_preview(stack)
    assert violations(output) == {"monthly-budget"}, output
    assert ("stack dev: the monthly estimate at the autoscaling maximum, ₹213,055, exceeds the stack's budget "
            "of ₹200,000 (policies/limits.yaml maxMonthlyCost)") in output
    assert "Monthly estimate increases by ₹213,055 to ₹213,055" in output
    stack.set_config("riva-tir:triton.replicas", auto.ConfigValue("1"), path=True)
    passed = stack.preview(policy_packs=[POLICY_PACK])
    assert not violations(passed.stdout) and "Monthly estimate increases by ₹143,705 to ₹143,705" in passed.stdout
