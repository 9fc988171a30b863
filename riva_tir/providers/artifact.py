"""ModelArtifact: the `.riva` model on the node's persistent disk, uploaded from a local
file over SFTP, downloaded on the node from an HTTPS URL, or from NGC with the NGC key.

Artifacts live in content-addressed folders (`~/riva-tir/models/<key>/`), so a changed
model is a new folder (create-before-delete replacement) and an unchanged one is never
re-sent: the program hashes local files (cached by file identity, see
riva_tir/artifact_hash.py) and the diff compares hashes.
"""
from __future__ import annotations

import asyncio
import hashlib
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, Literal

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from riva_tir.providers import host_keys
from riva_tir.providers.base import FIRST_USE_IMPORTS, TirOutputs, TirResource, TypedProvider, is_unknown
from riva_tir.providers.engine_log import current_urn, progress
from riva_tir.remote_shell import quote
from riva_tir.tir import field_errors

MODELS_DIR = "riva-tir/models"
# SFTP write size, capped at run time by the server's advertised limit (OpenSSH's
# sftp-server: 255 KiB). 1 GiB to an emulated node: 256 KiB and 1 MiB equally fast,
# 64 KiB about 30% slower (more client CPU per byte).
SFTP_BLOCK = 256 << 10
# 4 MiB in flight: twice the 2 MiB channel window (sshd's and asyncssh's) that bounds
# what is in flight anyway; more only waits in memory (64 x 1 MiB: 272 MiB peak RSS, not 90).
SFTP_REQUESTS = 16
# AES-GCM first, the defaults after it: with AES-NI it costs both ends far less CPU than
# the default chacha20-poly1305 (1 GiB on loopback: 3.3-3.5 s instead of 5.1-7.2 s).
SSH_CIPHERS = "^aes128-gcm@openssh.com"
# Connection attempts of an upload (about 10 s of backoff in all).
CONNECT_ATTEMPTS = 5


class ArtifactSource(BaseModel):
    """Exactly one of a local file, an HTTPS URL or an NGC model reference."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    file: str | None = None
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    ngc: str | None = Field(default=None, pattern=r"^[\w.-]+/([\w.-]+/)?[\w.-]+:[\w.-]+$",
                            description="org/[team/]name:version")

    @model_validator(mode="after")
    def _one(self) -> ArtifactSource:
        given = [k for k in ("file", "url", "ngc") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of file, url or ngc")
        if self.file is not None:
            path = Path(self.file)
            if not path.is_file():
                raise ValueError(f"file {self.file!r} does not exist or is not a file")
        return self

    @property
    def kind(self) -> Literal["file", "url", "ngc"]:
        return "file" if self.file else "url" if self.url else "ngc"


class NodeConnection(BaseModel):
    """How the provider reaches the node: all `read` and `delete` need, so they read it alone
    from the state (and work when the local model file is gone)."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    node_id: int
    ssh_host: str
    ssh_port: int = Field(gt=0, lt=65536)
    ssh_user: str
    ssh_private_key: str = Field(min_length=1)
    ssh_host_key: str = Field(min_length=1, description="the node's pinned host key (OpenSSH format)")


class ArtifactInputs(NodeConnection):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    source: ArtifactSource
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                               description="required for file sources (hash of the local file)")
    ngc_api_key: str | None = None
    auxiliary: bool = Field(default=False, description="a plain file riva-build reads, not a model")

    @model_validator(mode="after")
    def _needs(self) -> ArtifactInputs:
        if self.source.file and not self.auxiliary and Path(self.source.file).suffix not in (".riva", ".rmir"):
            raise ValueError(f"file {self.source.file!r} must be a .riva (or prebuilt .rmir) model")
        if self.auxiliary and self.source.kind == "ngc":
            raise ValueError("auxiliary files come from a file or an HTTPS URL")
        if self.source.kind == "file" and not self.sha256:
            raise ValueError("sha256 of the local file is required for file sources")
        if self.source.kind == "ngc" and not self.ngc_api_key:
            raise ValueError("an NGC API key is required to download from NGC (config ngcApiKey)")
        return self


class ArtifactOutputs(TirOutputs):
    remote_path: str  # the model file on the node
    size_bytes: int
    remote_sha256: str


_CONNECTION = ("ssh_host", "ssh_port", "ssh_user", "ssh_private_key", "ssh_host_key", "ngc_api_key")
# A model file name that is plain enough to keep on the node as it is.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class ModelArtifactProvider(TypedProvider[ArtifactInputs, ArtifactOutputs]):
    inputs = ArtifactInputs
    outputs = ArtifactOutputs

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if self.applied_before(olds, news):
            return CheckResult(news, [])
        known = {k: (None if is_unknown(v) else v) for k, v in self.own_inputs(news).items()}
        try:
            self.inputs.model_validate(known)
        except ValidationError as exc:
            return CheckResult(news, [CheckFailure(p, m) for p, m in field_errors(exc)
                                      if not is_unknown(news.get(p.split(".")[0]))])
        return CheckResult(news, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = [k for k in ("node_id", "source", "sha256", *_CONNECTION)
                if is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        # Reaching the node another way, or a new NGC key, moves nothing.
        replaces = [k for k in keys if k in ("node_id", "source", "sha256")]
        return DiffResult(changes=bool(keys), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.args(props)
        folder = posixpath.join(MODELS_DIR, _folder_key(inputs))
        remote_path, size, digest = asyncio.run(_place(inputs, folder, current_urn()))
        outputs = ArtifactOutputs(remote_path=remote_path, size_bytes=size, remote_sha256=digest)
        return CreateResult(folder, self.result(props, outputs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the way to the node or the NGC key changed (the rest replaces): keep the outputs."""
        return UpdateResult(self.result(news, self.recorded(olds)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        remote_path = self.recorded(props).remote_path
        try:
            exists = asyncio.run(_run(NodeConnection.model_validate(props), f"test -f {quote(remote_path)}",
                                      check=False)) == 0
        except (OSError, asyncio.TimeoutError):
            return ReadResult(id_, props)  # node unreachable (stopped): nothing to tell
        return ReadResult(id_, props) if exists else ReadResult("", {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with FIRST_USE_IMPORTS:
            import asyncssh

        remote_path = self.recorded(props).remote_path
        try:
            asyncio.run(_run(NodeConnection.model_validate(props), f"rm -rf -- {quote(posixpath.dirname(remote_path))}"))
        except (OSError, asyncio.TimeoutError):
            # ASSUMPTION: an unreachable node is stopped or gone; its disk holds the file
            # and goes with the node. Say so rather than fail the destroy.
            progress(f"node unreachable: left {remote_path} on its disk")
        except (host_keys.HostKeyChanged, asyncssh.PermissionDenied) as exc:
            # This record's key or pin predates a rotation or a rebuild: nothing was sent,
            # and the file stays until the node goes (the same rule as the remote commands).
            progress(f"left {remote_path} on the node, nothing sent to it: {exc}")


def _folder_key(inputs: ArtifactInputs) -> str:
    source = inputs.source
    if source.kind == "file":
        return str(inputs.sha256)[:16]
    # Never derived from a URL's credentials: the folder name is a plain output.
    name = _without_credentials(str(source.url)) if source.url else str(source.ngc)
    return hashlib.sha256(name.encode()).hexdigest()[:16]


async def _connect(node: NodeConnection, attempts: int = 1) -> Any:
    """An SSH connection to the node that accepts only its pinned host key."""
    with FIRST_USE_IMPORTS:
        import asyncssh
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    key = asyncssh.import_private_key(node.ssh_private_key)
    host, port = node.ssh_host, node.ssh_port
    conn = None
    # A node just started may refuse or reset connections for a moment (pulumi-command's
    # remote commands retry their dial for the same reason); `read` and `delete` pass 1,
    # where an unreachable node means a stopped one.
    try:
        async for attempt in AsyncRetrying(stop=stop_after_attempt(attempts), wait=wait_exponential(0.5, max=4),
                                           retry=retry_if_exception_type(OSError), reraise=True):
            with attempt:
                conn = await asyncio.wait_for(asyncssh.connect(
                    host, port=port, username=node.ssh_user, client_keys=[key],
                    known_hosts=host_keys.known_hosts(node.ssh_host_key),
                    encryption_algs=SSH_CIPHERS), timeout=30)
    except asyncssh.HostKeyNotVerifiable:
        presented = await host_keys.presented_key(host, port)
        raise host_keys.HostKeyChanged(host_keys.changed_message(
            f"node {node.node_id}", f"{host}:{port}", host_keys.fingerprint(node.ssh_host_key),
            host_keys.fingerprint(presented))) from None
    _send_no_ignore_packets(conn)
    return conn


def _send_no_ignore_packets(conn: Any) -> None:
    """Drop the empty SSH_MSG_IGNORE asyncssh sends before every packet.

    That is RFC 4251's countermeasure (9.3.1) for CBC ciphers, and SSH_CIPHERS offers
    none (AES-GCM, then asyncssh's defaults: ChaCha20, GCM, CTR); OpenSSH sends no such
    packets. On an upload they are half the packets each end encrypts, sends and parses:
    1 GiB on loopback took 3.2-4.2 s without them, 4.0-4.8 s with them (side by side).
    """
    with FIRST_USE_IMPORTS:
        from asyncssh.constants import MSG_IGNORE

    send = conn.send_packet

    def send_packet(pkttype: int, *args: bytes, **kwargs: Any) -> None:
        if pkttype != MSG_IGNORE:
            send(pkttype, *args, **kwargs)

    conn.send_packet = send_packet


async def _run(node: NodeConnection, command: str, *, check: bool = True) -> int:
    async with await _connect(node) as conn:
        result = await conn.run(command, check=check)
        return int(result.exit_status or 0)


async def _place(inputs: ArtifactInputs, folder: str, urn: str) -> tuple[str, int, str]:
    """Put the artifact in `folder` on the node; returns (absolute path, size, sha256)."""
    async with await _connect(inputs, attempts=CONNECT_ATTEMPTS) as conn:
        home = (await conn.run("printf %s \"$HOME\"", check=True)).stdout
        await conn.run(f"mkdir -p {quote(folder)}", check=True)
        source = inputs.source
        if source.kind == "file":
            local = Path(str(source.file))
            remote = posixpath.join(folder, local.name)
            await _upload(conn, local, remote, str(inputs.sha256), urn)
            return posixpath.join(home, remote), local.stat().st_size, str(inputs.sha256)
        if source.kind == "url":
            remote = posixpath.join(folder, _plain_name(posixpath.basename(urlsplit(str(source.url)).path),
                                                        inputs.auxiliary))
            progress(f"downloading {_without_credentials(str(source.url))} on the node", urn=urn)
            # The URL (it may carry user:password@) goes to curl as config on stdin, not argv.
            await conn.run(f"curl -fsSL --retry 5 -K - -o {quote(remote + '.partial')} && "
                           f"mv {quote(remote + '.partial')} {quote(remote)}",
                           input=_curl_config(str(source.url)), check=True)
        else:
            progress(f"downloading {source.ngc} from NGC on the node", urn=urn)
            # The NGC key arrives on stdin and lives only in the ngc process's environment.
            listing = await conn.run(
                "IFS= read -r NGC_CLI_API_KEY && export NGC_CLI_API_KEY && "
                f"NGC_CLI_ORG={quote(str(source.ngc).split('/')[0])} "
                f"ngc registry model download-version {quote(str(source.ngc))} --dest {quote(folder)} "
                f">/dev/null && find {quote(folder)} -name '*.riva' -o -name '*.rmir' | head -n 1",
                input=f"{inputs.ngc_api_key}\n", check=False)
            if listing.exit_status != 0 or not str(listing.stdout).strip():
                raise RuntimeError(f"NGC download of {source.ngc} failed: "
                                   f"{str(listing.stderr).strip()[-500:] or 'no .riva file in the download'}")
            remote = str(listing.stdout).strip()
        digest = (await conn.run(f"sha256sum {quote(remote)}", check=True)).stdout.split()[0]
        size = int((await conn.run(f"stat -c %s {quote(remote)}", check=True)).stdout.strip())
        return posixpath.join(home, remote), size, digest


def _plain_name(name: str, auxiliary: bool = False) -> str:
    """The file name to keep on the node: the source's own when plain, else a fixed one
    (the name is data either way, but a plain one reads well in logs and paths)."""
    if _PLAIN_NAME.match(name) and (auxiliary or name.endswith((".riva", ".rmir"))):
        return name
    return "auxiliary" if auxiliary else "model.riva"


def _curl_config(url: str) -> str:
    """A curl config file (`-K -`) naming `url`, with curl's quoting."""
    return 'url = "' + url.replace("\\", "\\\\").replace('"', '\\"') + '"\n'


def _without_credentials(url: str) -> str:
    """`url` fit for logs: any user:password@ left out."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


async def _upload(conn: Any, local: Path, remote: str, sha256: str, urn: str) -> None:
    """SFTP with many large requests in flight, into a temporary name renamed at the end,
    so an interrupted upload never looks complete; a complete one (same size and hash
    recorded beside it) is not sent again."""
    size = local.stat().st_size
    marker = f"{remote}.sha256"
    done = await conn.run(f"test \"$(cat {quote(marker)} 2>/dev/null)\" = {sha256} && "
                          f"test \"$(stat -c %s {quote(remote)})\" = {size}", check=False)
    if done.exit_status == 0:
        progress(f"{local.name} already on the node", urn=urn)
        return
    step = max(size // 10, 1)
    shown = [0]

    def report(_src: bytes, _dst: bytes, sent: int, total: int) -> None:
        if sent - shown[0] >= step or sent == total:
            shown[0] = sent
            progress(f"uploading {local.name}: {sent * 100 // max(total, 1)}% of {total / 2**20:.0f} MiB",
                     urn=urn, ephemeral=sent != total)

    async with conn.start_sftp_client() as sftp:
        # OpenSSH's sftp-server drops the session on a request over its limit (255 KiB).
        block = min(SFTP_BLOCK, sftp.limits.max_write_len)
        await sftp.put(str(local), remote + ".partial", block_size=block,
                       max_requests=SFTP_REQUESTS, progress_handler=report)
        await sftp.posix_rename(remote + ".partial", remote)
    await conn.run(f"printf %s {sha256} > {quote(marker)}", check=True)


class ModelArtifact(TirResource, module="tir", name="ModelArtifact"):
    """The `.riva` model on the node. Outputs: on-node path and sha256."""

    remote_path: pulumi.Output[str]
    remote_sha256: pulumi.Output[str]
    size_bytes: pulumi.Output[int]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["ssh_private_key", "ngc_api_key"]))
        super().__init__(ModelArtifactProvider(), name, props, opts)
