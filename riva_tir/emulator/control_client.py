"""`EmulatorControl`: the one client of the `/_emulator/` control API (docs/emulator.md
"Control API"), so tests, bench and the CLI do not each speak its wire format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

CONTROL_TIMEOUT_SECONDS = 60


class ControlError(RuntimeError):
    """A control call the emulator refused; `errors` names the offending fields."""

    def __init__(self, method: str, route: str, status: int, body: Any) -> None:
        self.status = status
        self.errors: dict[str, Any] = (body.get("errors") or {}) if isinstance(body, dict) else {}
        super().__init__(f"{method} /_emulator/{route}: {status} {body}")


class EmulatorControl:
    """Typed calls to a running emulator's control API at `url` (loopback only)."""

    def __init__(self, url: str, timeout: float = CONTROL_TIMEOUT_SECONDS) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EmulatorControl({self.url!r})"

    def _call(self, method: str, route: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/_emulator/{route}", json=body, timeout=self.timeout)
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        if response.status_code != 200:
            raise ControlError(method, route, response.status_code, payload)
        return payload["data"]

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "health"))

    def reset(self) -> None:
        """Delete everything (buckets, disks, data planes), the fault plan and the request log."""
        self._call("POST", "reset")

    def inventory(self) -> dict[str, Any]:
        """Everything that exists across projects and regions, keyed by kind (leak checks)."""
        return dict(self._call("GET", "inventory"))

    # -- faults --------------------------------------------------------------------------

    def faults(self, *rules: Mapping[str, Any], seed: int | None = None) -> dict[str, Any]:
        """Replace the fault plan with `rules` (restarting its counters); the same seed replays the
        same faults, None keeps the current one."""
        return dict(self._call("PUT", "faults", {"seed": seed, "rules": list(rules)}))

    def fault_plan(self) -> dict[str, Any]:
        """The plan with each rule's `matched`/`fired` counts."""
        return dict(self._call("GET", "faults"))

    def fault_counts(self) -> list[tuple[int, int]]:
        """(matched, fired) per rule."""
        return [(int(r["matched"]), int(r["fired"])) for r in self.fault_plan()["rules"]]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    # -- timing and paging ---------------------------------------------------------------

    def transitions(self, speed: str | Mapping[str, float]) -> dict[str, float]:
        """`instant`, `demo`, or seconds per transition name; returns every transition's seconds."""
        body = {"speed": speed} if isinstance(speed, str) else {"seconds": dict(speed)}
        return dict(self._call("PUT", "transitions", body)["seconds"])

    def transition_seconds(self) -> dict[str, float]:
        return dict(self._call("GET", "transitions")["seconds"])

    def paging(self, *, ignore_per_page: bool, page_size: int | None = None) -> dict[str, Any]:
        """Make lists ignore `per_page` and page by the server's size (docs/tir.md §2)."""
        return dict(self._call("PUT", "paging", {"ignore_per_page": ignore_per_page, "page_size": page_size}))

    def paging_mode(self) -> dict[str, Any]:
        return dict(self._call("GET", "paging"))

    # -- request log ---------------------------------------------------------------------

    def requests(self, method: str | None = None, contains: str = "") -> list[dict[str, Any]]:
        """Logged API calls, oldest first, optionally only one method and paths containing `contains`."""
        entries: list[dict[str, Any]] = self._call("GET", "requests")
        return [e for e in entries if (method is None or e["method"] == method) and contains in e["path"]]

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    # -- resources -----------------------------------------------------------------------

    def alternatives(self, **values: Any) -> dict[str, Any]:
        """Play other answers to TIR's unknowns (riva_tir/emulator/alternatives.py); none: read them."""
        result: dict[str, Any] = self._call("PUT", "alternatives", values) if values else self._call("GET", "alternatives")
        return result

    def fail(self, kind: str, resource_id: int, reason: str) -> dict[str, Any]:
        """Put a node or endpoint into `failed` with `reason`; returns its wire form."""
        return dict(self._call("POST", "fail", {"kind": kind, "id": resource_id, "reason": reason}))

    def rotate_host_key(self, node_id: int) -> str:
        """Give the node a new SSH host key, as a rebuild (or an impostor) would; returns it."""
        return str(self._call("POST", f"nodes/{node_id}/rotate-host-key")["host_key"])
