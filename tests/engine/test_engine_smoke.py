"""The project's own engine drives a real Python program end to end.

A program on disk (not an inline program) so the run goes through the Python language
host, the exec shim, the dynamic-provider launcher and the command plugin.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.conftest import workspace_options

pytestmark = pytest.mark.engine

PROGRAM = textwrap.dedent(
    '''
    import json
    import pulumi
    from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult
    from pulumi_command import local

    class JournalProvider(ResourceProvider):
        """Appends every lifecycle call to a journal file the test reads."""

        def _log(self, path, event, value):
            with open(path, "a") as f:
                f.write(json.dumps({"event": event, "value": value}) + "\\n")

        def create(self, props):
            self._log(props["journal"], "create", props["value"])
            return CreateResult("journal-1", dict(props))

        def diff(self, _id, olds, news):
            changed = [k for k in ("value", "journal") if olds.get(k) != news.get(k)]
            return DiffResult(changes=bool(changed), replaces=[k for k in changed if k == "journal"])

        def update(self, _id, olds, news):
            self._log(news["journal"], "update", news["value"])
            return UpdateResult(dict(news))

        def delete(self, _id, props):
            self._log(props["journal"], "delete", props["value"])

    class Journal(Resource, module="smoke", name="Journal"):
        value: pulumi.Output[str]

        def __init__(self, name, journal, value):
            super().__init__(JournalProvider(), name, {"journal": journal, "value": value})

    cfg = pulumi.Config()
    value = cfg.require("value")
    journal = Journal("journal", cfg.require("journal"), value)
    marker = cfg.require("marker")
    cmd = local.Command(
        "echo",
        create=f"echo created-{value}",
        delete=f"echo deleted > {marker}",
    )
    pulumi.export("value", journal.value)
    pulumi.export("stdout", cmd.stdout)
    '''
)


def _events(journal: Path) -> list[tuple[str, str]]:
    if not journal.exists():
        return []
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    return [(r["event"], r["value"]) for r in rows]


def test_up_noop_update_destroy(tmp_path: Path, pulumi_env: dict[str, str]) -> None:
    work = tmp_path / "program"
    work.mkdir()
    (work / "__main__.py").write_text(PROGRAM)
    (work / "Pulumi.yaml").write_text("name: smoke\nruntime: python\n")
    journal, marker = tmp_path / "journal.jsonl", tmp_path / "deleted.txt"

    stack = auto.create_or_select_stack(
        stack_name="smoke",
        work_dir=str(work),
        opts=workspace_options(pulumi_env, secrets_provider="passphrase"),
    )
    stack.set_config("value", auto.ConfigValue("one"))
    stack.set_config("journal", auto.ConfigValue(str(journal)))
    stack.set_config("marker", auto.ConfigValue(str(marker)))

    up = stack.up()
    assert up.summary.resource_changes == {"create": 3}
    assert up.outputs["value"].value == "one"
    assert up.outputs["stdout"].value == "created-one"
    assert _events(journal) == [("create", "one")]

    stack.preview(expect_no_changes=True)
    again = stack.up()
    assert again.summary.resource_changes == {"same": 3}
    assert _events(journal) == [("create", "one")]

    stack.set_config("value", auto.ConfigValue("two"))
    changed = stack.up()
    assert changed.summary.resource_changes == {"same": 1, "update": 2}
    assert changed.outputs["stdout"].value == "created-two"
    assert _events(journal)[-1] == ("update", "two")

    stack.destroy()
    assert _events(journal)[-1] == ("delete", "two")
    assert marker.read_text().strip() == "deleted"
    assert stack.export_stack().deployment.get("resources") in (None, [])
    stack.workspace.remove_stack("smoke")


RENDEZVOUS_PROGRAM = textwrap.dedent(
    '''
    import os, time
    import pulumi
    from pulumi.dynamic import CreateResult, Resource, ResourceProvider

    class RendezvousProvider(ResourceProvider):
        """Each create waits until all of them are inside `create` at the same time."""

        def create(self, props):
            folder, count = props["folder"], int(props["count"])
            open(os.path.join(folder, props["name"]), "w").close()
            deadline = time.monotonic() + 60
            while len(os.listdir(folder)) < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(os.listdir(folder))} of {count} creates ran at once")
                time.sleep(0.05)
            return CreateResult(props["name"], dict(props))

    class Waiter(Resource, module="smoke", name="Waiter"):
        def __init__(self, name, folder, count):
            super().__init__(RendezvousProvider(), name, {"name": name, "folder": folder, "count": count})

    cfg = pulumi.Config()
    count = int(cfg.require("count"))
    for i in range(count):
        Waiter(f"waiter-{i}", cfg.require("folder"), count)
    '''
)


def test_provider_host_serves_many_calls_at_once(tmp_path: Path, pulumi_env: dict[str, str]) -> None:
    """A create that waits on TIR holds a provider thread; the SDK's own host has 4, so a
    stack of many deployments would provision 4 things at a time. Twelve creates must be
    in flight together (riva_tir/providers/host.py, PULUMI_PARALLEL)."""
    work, folder = tmp_path / "program", tmp_path / "arrived"
    work.mkdir()
    folder.mkdir()
    (work / "__main__.py").write_text(RENDEZVOUS_PROGRAM)
    (work / "Pulumi.yaml").write_text("name: rendezvous\nruntime: python\n")
    stack = auto.create_or_select_stack(stack_name="rendezvous", work_dir=str(work),
                                        opts=workspace_options(pulumi_env, secrets_provider="passphrase"))
    stack.set_config("count", auto.ConfigValue("12"))
    stack.set_config("folder", auto.ConfigValue(str(folder)))
    up = stack.up()
    assert up.summary.resource_changes == {"create": 13}
    assert len(list(folder.iterdir())) == 12
    stack.destroy()
    stack.workspace.remove_stack("rendezvous")
