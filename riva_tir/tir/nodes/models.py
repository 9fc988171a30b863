"""Node (``notebooks``) response models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ValidationInfo, model_validator

from riva_tir.tir._models import Resource, TirModel
from riva_tir.tir.config import SshFieldNames
from riva_tir.tir.plans.models import SkuDetails


class NodeStatus(StrEnum):
    """Known node statuses (lowercase; ``Node.status`` is normalised to match).

    ASSUMPTION: only "running"/"stopped" are attested; the transitional names are
    the emulator's (creating/starting/stopping).
    """

    CREATING = "creating"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"
    ERROR = "error"


class ImageDetails(TirModel):
    name: str | None = None
    version: str | None = None


class SshAccess(TirModel):
    """Where to SSH into a node; read from the field names in ``TirConfig.ssh_fields``."""

    host: str
    port: int = 22
    user: str | None = None


class Node(Resource):
    READY = frozenset({NodeStatus.RUNNING.value})

    lab_url: str | None = None
    image_details: ImageDetails | None = None
    sku_details: SkuDetails | None = None
    disk_size_in_gb: int | None = None
    ssh: SshAccess | None = None

    @model_validator(mode="before")
    @classmethod
    def _pick_ssh(cls, data: Any, info: ValidationInfo) -> Any:
        """Map the (unknown on real TIR) SSH fields into ``ssh``; None until populated."""
        if not isinstance(data, dict):
            return data
        names = (info.context or {}).get("ssh_fields") or SshFieldNames()
        host = data.get(names.host)
        ssh = {"host": host, "port": data.get(names.port) or 22, "user": data.get(names.user)} if host else None
        return {**data, "ssh": ssh}


class NodeSshKey(TirModel):
    """A key attached to a node. ASSUMPTION: items may be plain key strings or objects."""

    ssh_key: str
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"ssh_key": data}
        if isinstance(data, dict) and "ssh_key" not in data and "public_key" in data:
            return {**data, "ssh_key": data["public_key"]}
        return data
