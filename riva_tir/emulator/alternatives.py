"""What a real TIR may do differently where no public source settles it (docs/unknowns.md).

One mutable object per emulator, shared by the parts that play each unknown. The defaults
are riva-tir's own defaults; `serve --alternative name=value` or
`PUT /_emulator/alternatives` selects another, so the tests can show `scripts/doctor`
detecting each refutation and the stack's override making `up` work. Set them before the
nodes and endpoints they should affect are started.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Alternatives(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # The node record's fields for the SSH address; an empty user field: the record names none.
    ssh_host_field: str = Field(default="ssh_host", min_length=1)
    ssh_port_field: str = Field(default="ssh_port", min_length=1)
    ssh_user_field: str = "ssh_user"
    # The only user a node's SSH server lets in. ASSUMPTION: the real login user is UNKNOWN
    # (docs/tir.md §5.6); its containers run Jupyter as root, so the default is "root".
    login_user: str = Field(default="root", min_length=1)
    # The container port the gRPC ingress forwards to for a custom container with service_port.
    custom_container_grpc_port: int = Field(default=8080, ge=1, le=65535)
    # How a call may name its project in `e2e-project`: either form (the sources do not
    # settle which TIR takes, so a client of either kind is served), or only one of them.
    project_header: Literal["either", "number", "p-number"] = "either"
    # Other status strings on the wire for the emulator's own (e.g. {"running": "active"}).
    status_names: dict[str, str] = Field(default_factory=dict)

    def wire_status(self, status: str) -> str:
        return self.status_names.get(status, status)

    def assign(self, values: dict[str, object]) -> None:
        """Change some of them in place (validated; unknown names refused)."""
        merged = Alternatives.model_validate({**self.model_dump(), **values})
        for name in type(self).model_fields:
            setattr(self, name, getattr(merged, name))


def parse_assignments(items: list[str]) -> dict[str, object]:
    """`name=value` pairs from the command line (numbers as numbers)."""
    values: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--alternative {item!r}: expected name=value, names: {', '.join(Alternatives.model_fields)}")
        values[name.strip().replace("-", "_")] = int(value) if value.isdigit() else \
            json.loads(value) if value.startswith("{") else value
    return values
