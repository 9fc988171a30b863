"""Benchmark 3's yardstick: the fewest TIR API calls each operation of the full stack
needs, and the polls of a run with provisioning delays told apart from the rest.

The minimum counts TIR objects, not Pulumi resources (1 SSH key, 1 node, 1 repository,
2 endpoints), so it does not move when the graph gains helper resources:
- up: 5 creates; 5 lookups by name before them (TIR does not document refusing a
  duplicate name, so a run interrupted after a create can only find what it made by
  looking first: the price of never leaking a second node); 3 catalog reads (Riva
  image, node plans, endpoint plans); 1 read each to see the node and the 2 endpoints
  ready (the repository is ready when created) = 16.
- preview: diffs compare inputs with the state; one project-scoped read confirms TIR
  still takes the credentials (a PR preview must not report "no changes" with a
  revoked key) = 1.
- refresh: 1 read per object, plus the node's key list (keys are a node sub-resource)
  and the repository's object list (published models deleted from the bucket) = 7.
- destroy: 5 deletes; 1 read each to see the node, repository and endpoints gone = 9.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from bench.stacks import Timed

MINIMUM = {"up": 16, "preview": 1, "refresh": 7, "destroy": 9}
_DETAIL = re.compile(r"/gpu/(.+?/\d+)/\?")
# Back-to-back reads of one object by different steps are not polls of a wait.
_POLL_GAP_S = 0.3


def _detail(call: dict[str, Any]) -> str | None:
    match = _DETAIL.search(call["path"])
    return match.group(1) if match and call["method"] == "GET" else None


def poll_schedule(timed: Timed) -> dict[str, list[float]]:
    """Per object read more than twice: the gaps (s) between its reads that are waits."""
    reads: dict[str, list[float]] = defaultdict(list)
    for call in timed.calls:
        path = _detail(call)
        if path is not None:
            reads[path].append(float(call["at"]))
    gaps = {path: [round(b - a, 1) for a, b in zip(times, times[1:]) if b - a > _POLL_GAP_S]
            for path, times in reads.items()}
    return {path: g for path, g in gaps.items() if g}
