"""SSH on a node: the stack's own, or a probe node that never outlives the doctor."""
from __future__ import annotations

import hashlib
import secrets
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from riva_tir import ssh_probe
from riva_tir.config import StackConfig, cache_dir
from riva_tir.doctor.account import riva_image_id
from riva_tir.providers.names import SUFFIX_ALPHABET, SUFFIX_LENGTH
from riva_tir.doctor.report import Finding, Report, reads_as_running, running_status
from riva_tir.tir import TirClient
from riva_tir.tir.config import DEFAULT_LOGIN_USER
from riva_tir.tir.nodes.specs import NodeSpec
from riva_tir.tir.ssh_keys.models import SshKeySpec


PROBE_SUFFIX = "-doctor"
PROBE_TIMEOUT = 900.0
PROBE_POLL_SECONDS = 10.0
_SSH_CHECKS = ("tir.sshFields", "node.sshUser", "node status")


def ssh(record: dict[str, Any], config: StackConfig, private_key: str, what: str, report: Report) -> bool:
    """The SSH rows from one node record; True when something logged in."""
    report.record = ssh_probe.masked(record)
    fields, user = config.tir.ssh_fields, config.node.ssh_user
    found = ssh_probe.find_login(record, fields, user, private_key)
    reported = record.get(fields.user) if isinstance(record.get(fields.user), str) else None
    if found.fields is None:
        report.add(Finding("tir.sshFields", "unknown", f"{what}: nothing logged in; tried {'; '.join(found.tried)}"
                           or f"{what}: no field looks like an SSH host"))
        return False
    fixes = dict(ssh_probe.paste_lines(found, fields, user, reported))
    address_fix = "\n".join(v for k, v in fixes.items() if k.startswith("tir.sshFields"))
    report.add(Finding("tir.sshFields", "refuted" if address_fix else "confirmed",
                       f"{what}: the address is in {found.fields.host}/{found.fields.port}", address_fix))
    report.add(Finding("node.sshUser", "refuted" if "node.sshUser" in fixes else "confirmed",
                       f"{what}: {found.user} logs in (default {user or reported or DEFAULT_LOGIN_USER})",
                       fixes.get("node.sshUser", "")))
    report.add(running_status("node status", record.get("status"), config, what, "it takes SSH logins"))
    return True


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cancelled job) unwinds like Ctrl-C, so the probe's cleanup runs."""
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class ProbeNames:
    """The probe's TIR name, under this deployment's own prefix and suffix, so no other
    stack's doctor (same stack name, another project or backend) shares it: the suffix
    from the stack's state (DeploymentNames); before the first `up` there is none, so a
    probe draws its own and records its name in riva-tir's cache (per project folder and
    stack) until it is deleted, which is how a later run finds one that was killed."""

    def __init__(self, stack: str, readable: str, names: str | None) -> None:
        self.readable, self.names = readable, names
        key = hashlib.sha256(f"{Path.cwd()}\0{stack}".encode()).hexdigest()[:16]
        self.record = cache_dir() / "doctor-probes" / key

    def new(self) -> str:
        """The name of a probe about to be created (recorded first when it is drawn)."""
        if self.names:
            return self.names + PROBE_SUFFIX
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
        name = f"{self.readable}-{suffix}{PROBE_SUFFIX}"
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.record.write_text(name, encoding="utf-8")
        return name

    def left(self) -> list[str]:
        """Names an earlier probe of this stack may have left."""
        recorded = self.record.read_text(encoding="utf-8").strip() if self.record.is_file() else ""
        return list(dict.fromkeys(n for n in (self.names + PROBE_SUFFIX if self.names else "", recorded) if n))

    def gone(self, name: str) -> None:
        """The probe `name` is deleted: forget it."""
        if self.record.is_file() and self.record.read_text(encoding="utf-8").strip() == name:
            self.record.unlink()


def leftover_probe(tir: TirClient, names: ProbeNames, report: Report) -> None:
    """Delete what a killed probe left (found by its name)."""
    for name in names.left():
        node = tir.nodes.find(name)
        key = tir.ssh_keys.find(name)
        if node is not None:
            tir.nodes.delete(node.id)
            tir.nodes.wait_deleted(node.id, timeout=PROBE_TIMEOUT)
        if key is not None:
            tir.ssh_keys.delete(key.id)
        names.gone(name)
        if node is not None or key is not None:
            report.add(Finding("earlier probe cleaned up", "confirmed",
                               f"deleted {'node ' + str(node.id) if node else ''} {'key ' + key.label if key else ''}"
                               .strip(), blocking=False))


def probe(tir: TirClient, names: ProbeNames, config: StackConfig, report: Report) -> None:
    """The cheapest node for the stack's image, with a throwaway key; always deleted."""
    import asyncssh

    image_id = None if config.node.image else riva_image_id(tir, config)
    hourly = [s for s in tir.plans.for_nodes(image_id) if s.hourly_plan and not s.is_free and s.is_inventory_available]
    if not hourly:
        report.add(Finding("probe node", "unknown", "no node plan with inventory to probe with", blocking=False))
        return
    sku = min(hourly, key=lambda s: s.hourly_plan.unit_price or 0.0 if s.hourly_plan else 0.0)
    plan = sku.hourly_plan
    assert plan is not None
    name = names.new()
    private = asyncssh.generate_private_key("ssh-ed25519", comment=name)
    public = private.export_public_key().decode().strip()
    started = time.monotonic()
    node_id: int | None = None
    key_id: int | None = None
    with _terminate_as_interrupt():
        try:
            key_id = tir.ssh_keys.create(SshKeySpec(label=name, ssh_key=public)).id
            image = {"image_type": "custom", "e2e_registry_image_url": config.node.image,
                     "registry_namespace_id": config.node.registry_namespace_id} if config.node.image \
                else {"image_version_id": image_id}
            node_id = tir.nodes.create(NodeSpec(name=name, sku_item_price_id=plan.sku_item_price_id,
                                                public_key=[public], **image)).id
            _until_running(tir, node_id, config, private.export_private_key().decode(),
                           f"probe node {name} ({sku.code})", report)
        finally:
            if node_id is not None:
                tir.nodes.delete(node_id)
                tir.nodes.wait_deleted(node_id, timeout=PROBE_TIMEOUT)
            if key_id is not None:
                tir.ssh_keys.delete(key_id)
            names.gone(name)
            minutes = (time.monotonic() - started) / 60
            price = plan.unit_price or 0.0
            # ASSUMPTION (docs/unknowns.md): TIR bills an hourly plan by the started hour.
            report.probe_cost = (f"probe node {sku.code} for {minutes:.1f} min at {price} {plan.currency or ''}/h: "
                                 f"at most {price:.2f} {plan.currency or ''} (one started hour); nothing left")


def _until_running(tir: TirClient, node_id: int, config: StackConfig, private_key: str, what: str,
                   report: Report) -> None:
    """Until the node shows running or takes a login (its status may be one riva-tir does
    not know yet: the probe is how the doctor learns it)."""
    deadline = time.monotonic() + PROBE_TIMEOUT
    while True:
        record = tir.nodes.record(node_id)
        running = reads_as_running(record.get("status"), config)
        probing = running or bool(ssh_probe.candidate_fields(record, config.tir.ssh_fields))
        if probing and (ssh(record, config, private_key, what, report) or running):
            return
        if time.monotonic() > deadline:
            report.add(Finding("probe node", "unknown", f"{what} neither showed running nor took a login in "
                                                        f"{PROBE_TIMEOUT / 60:.0f} min (last status "
                                                        f"{record.get('status')!r})"))
            return
        report.findings[:] = [f for f in report.findings if f.check not in _SSH_CHECKS]
        time.sleep(PROBE_POLL_SECONDS)

