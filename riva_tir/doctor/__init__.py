"""`scripts/doctor --stack <stack>`: first contact with a TIR account, diagnosed in minutes.

Every fact riva-tir relies on that a real account could refute (docs/unknowns.md) is checked
against the stack's effective setting and printed as a row: check, result (confirmed,
refuted, unknown), evidence, and where a default is refuted the config line to paste.

Read-only by default: GETs, a TLS handshake, gRPC health calls through the ingress and SSH
logins that run nothing. `--probe-node --yes` also creates the cheapest node (with a
throwaway account key), reads its record, logs in, and deletes both; a probe that was
killed is cleaned up by the next doctor run, which finds it by name. Exit status 1 when a
blocking check is refuted.
"""
from __future__ import annotations

from riva_tir.config import StackConfig
from riva_tir.deployment import DEFAULT_NAME, readable_prefix
from riva_tir.doctor.account import access, images, plans, repository_types
from riva_tir.doctor.node import ProbeNames, leftover_probe, probe, ssh
from riva_tir.doctor.reach import data_plane, endpoints
from riva_tir.doctor.report import Finding, Report, StackSecrets, render
from riva_tir.providers.base import TirProvider


def diagnose(stack: str, config: StackConfig, keys: StackSecrets, names: str | None, *,
             probe_node: bool = False) -> Report:
    """Every check against the stack's account; the probe node only when asked. `names`
    is the prefix of the deployment's TIR names, from its state (its suffix is nowhere
    else; None before the first `up`)."""
    report = Report()
    probes = ProbeNames(stack, readable_prefix(stack, DEFAULT_NAME, config.name_prefix), names)
    with TirProvider.client({"tir": config.tir.model_dump(), "retries": {"max_retries": 1},
                             "credentials": {"api_key": keys.api_key, "auth_token": keys.auth_token}}) as tir:
        if not access(tir, config, report):
            return report
        leftover_probe(tir, probes, report)
        plans(tir, config, report)
        images(tir, config, report)
        repository_types(tir, report)
        data_plane(config, report)
        endpoints(tir, names, config, keys.auth_token, report)
        node = tir.nodes.find(f"{names}-node") if names else None
        if node is not None and node.status != "stopped" and keys.ssh_private_key:
            ssh(tir.nodes.record(node.id), config, keys.ssh_private_key, f"node {node.name}", report)
            if probe_node:
                report.probe_cost = f"no probe node: the stack's own node {node.name} was read instead (nothing spent)"
        elif probe_node:
            probe(tir, probes, config, report)
        else:
            report.add(Finding("ssh address and user", "unknown",
                               "no running node of this stack to read: `scripts/doctor --probe-node --yes` "
                               "creates the cheapest node for a minute to find out", blocking=False))
    return report



__all__ = ["Finding", "Report", "StackSecrets", "diagnose", "render"]
