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
