"""riva-tir guardrails, run by `pulumi preview --policy-pack policies` (and `up`).

All policies are mandatory: a violation fails the preview. Limits per stack: limits.yaml.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (EnforcementLevel, PolicyPack, ReportViolation, ResourceValidationArgs,
                           ResourceValidationPolicy)

import guardrails

Rule = Callable[[str, Mapping[str, Any], guardrails.Limits], list[str]]
# Plain-string secrets found by the remediation pass, reported by the validation pass
# (URN -> paths). The engine runs both for each resource, remediation first.
_PLAINTEXT: dict[str, list[str]] = {}


def _checked(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        for message in rule(args.resource_type, args.props, guardrails.load_limits(guardrails.stack_of(args.urn))):
            report(message, None)
    return validate


def _budget(args: ResourceValidationArgs, report: ReportViolation) -> None:
    stack = guardrails.stack_of(args.urn)
    for message in guardrails.monthly_budget(args.resource_type, args.props, guardrails.load_limits(stack), stack):
        report(message, None)


def _find_plaintext(args: ResourceValidationArgs) -> None:
    """Remediations are the one pulumi-policy hook that sees which inputs are secret."""
    paths = list(guardrails.plaintext_secrets(args.props))
    if paths:
        _PLAINTEXT[args.urn] = paths


def _report_plaintext(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path in _PLAINTEXT.pop(args.urn, []):
        report(f"input {path!r} is a plain string; pass it as a secret "
               "(`pulumi config set --secret ...` or pulumi.Output.secret)", None)


def _policy(name: str, description: str, rule: Rule) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description, validate=_checked(rule),
                                    enforcement_level=EnforcementLevel.MANDATORY)


PolicyPack(
    name="riva-tir-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        _policy("gpu-plan-allowlist", "GPU plans only from the stack's allowlist.", guardrails.gpu_plan_allowed),
        _policy("gpu-memory", "The models fit the GPU memory of Triton's plan.", guardrails.gpu_memory),
        _policy("riva-api-min-replicas", "Enough Riva API servers for the stack (prod: at least 2).",
                guardrails.riva_api_min_replicas),
        _policy("autoscaling-bounds", "Autoscaling bounds set and sane: 1 <= min <= max <= the stack's budget.",
                guardrails.autoscaling_bounds),
        _policy("images-pinned", "Riva and Triton images pinned to a version, never `latest`.",
                guardrails.images_pinned),
        ResourceValidationPolicy(
            name="monthly-budget", description="The monthly estimate at the autoscaling maximum within the stack's "
                                               "budget.", validate=_budget, enforcement_level=EnforcementLevel.MANDATORY),
        # REMEDIATE so the remediation pass runs; it changes nothing, and a violation the
        # validation pass reports counts as mandatory.
        ResourceValidationPolicy(
            name="no-plaintext-secrets", description="Secrets reach resources only as secrets.",
            validate=_report_plaintext, remediate=_find_plaintext, enforcement_level=EnforcementLevel.REMEDIATE),
    ],
)
