"""Which fields of a node record carry its SSH address, and which user logs in (docs/unknowns.md).

No public source names the fields or the user, so `scripts/doctor` reads a real node record
and tries: the configured names first, then every field whose value looks like a host or a
port, each with the configured user, the record's user and the usual container users. A
login authenticates with the stack's key and runs nothing; no host key is pinned here (the
node provider pins on first use), so nothing secret is ever sent to the host.
"""
from __future__ import annotations

import asyncio
import ipaddress
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncssh

from riva_tir.tir.config import DEFAULT_LOGIN_USER, SshFieldNames

# The usual users of container images like TIR's (Jupyter's is jovyan, whose home TIR uses).
USUAL_USERS = ("root", "jovyan", "ubuntu")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_SECRET_NAME = re.compile(r"key|token|secret|password|credential", re.IGNORECASE)
LOGIN_TIMEOUT = 10.0


@dataclass(frozen=True)
class SshFinding:
    """What logged in (None when nothing did) and what was tried."""

    fields: SshFieldNames | None
    user: str | None
    tried: tuple[str, ...]


def masked(record: Mapping[str, Any]) -> dict[str, Any]:
    """A node record fit to print: values of secret-looking fields masked, long ones cut."""
    shown: dict[str, Any] = {}
    for name, value in record.items():
        if _SECRET_NAME.search(name) and value not in (None, "", [], {}):
            shown[name] = "***"
        elif isinstance(value, str) and len(value) > 60:
            shown[name] = value[:57] + "..."
        else:
            shown[name] = value
    return shown


def _hostlike(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(value)) and "/" not in value


def _portlike(value: Any) -> bool:
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return text.isdigit() and 1 <= int(text) <= 65535


def candidate_fields(record: Mapping[str, Any], configured: SshFieldNames) -> list[tuple[str, str]]:
    """(host field, port field) pairs worth a login, the configured pair first."""
    hosts = [k for k, v in record.items() if _hostlike(v) and not k.endswith("_url")]
    ports = [k for k, v in record.items() if _portlike(v) and "port" in k.lower()]
    pairs = [(configured.host, configured.port)] if configured.host in record else []
    pairs += [(h, p) for h in hosts for p in ports or ["22"] if (h, p) not in pairs]
    return pairs


def candidate_users(record: Mapping[str, Any], configured: SshFieldNames, login_user: str | None) -> list[str]:
    """The effective user first (node.sshUser, else the record's, else the default), then the usual ones."""
    reported = record.get(configured.user)
    first = login_user or (reported if isinstance(reported, str) and reported else None) or DEFAULT_LOGIN_USER
    users = [first]
    users += [str(v) for k, v in record.items() if "user" in k.lower() and isinstance(v, str) and v]
    users += list(USUAL_USERS)
    return list(dict.fromkeys(users))


async def _logs_in(host: str, port: int, user: str, key: asyncssh.SSHKey) -> bool:
    try:
        conn = await asyncio.wait_for(asyncssh.connect(
            host, port=port, username=user, client_keys=[key], known_hosts=None, agent_path=None,
            password=None, kbdint_auth=False), LOGIN_TIMEOUT)
    except (OSError, asyncssh.Error, asyncio.TimeoutError):
        return False
    conn.close()
    await conn.wait_closed()
    return True


def find_login(record: Mapping[str, Any], configured: SshFieldNames, login_user: str | None,
               private_key: str) -> SshFinding:
    """Try each candidate address with each candidate user until one logs in."""
    key = asyncssh.import_private_key(private_key)
    tried: list[str] = []

    async def search() -> SshFinding:
        for host_field, port_field in candidate_fields(record, configured):
            host, port = record[host_field], int(record.get(port_field) or 22)
            for user in candidate_users(record, configured, login_user):
                tried.append(f"{user}@{host}:{port} ({host_field}/{port_field})")
                if await _logs_in(str(host), port, user, key):
                    user_field = configured.user if record.get(configured.user) == user else \
                        next((k for k, v in record.items() if "user" in k.lower() and v == user), configured.user)
                    return SshFinding(SshFieldNames(host=host_field, port=port_field, user=user_field), user,
                                      tuple(tried))
        return SshFinding(None, None, tuple(tried))

    return asyncio.run(search())


def paste_lines(found: SshFinding, configured: SshFieldNames, login_user: str | None,
                reported_user: str | None) -> Iterable[tuple[str, str]]:
    """(setting, config line) for each setting that differs from what logged in. The values
    come from TIR's records, so they are quoted for the shell the user pastes into."""
    if found.fields is None or found.user is None:
        return
    for part in ("host", "port"):
        wanted = getattr(found.fields, part)
        if wanted != getattr(configured, part):
            yield f"tir.sshFields.{part}", f"pulumi config set --path riva-tir:tir.sshFields.{part} {shlex.quote(wanted)}"
    effective = login_user or reported_user or DEFAULT_LOGIN_USER
    if found.user != effective:
        yield "node.sshUser", f"pulumi config set --path riva-tir:node.sshUser {shlex.quote(found.user)}"
