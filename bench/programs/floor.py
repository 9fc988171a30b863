"""The engine floor: the deployed stack's graph (same components, same number of custom
resources, same parents and dependencies, same plugins) made of trivial resources that do
nothing: dynamic ones, and a command that runs `true` where the stack has a
pulumi-command resource (so the floor starts the command plugin too). `pulumi preview`/`up`
of it is what any program of that shape costs.

With `bench:properties`, each dynamic resource also carries the deployed one's properties
(its inputs, secrets as a placeholder, and its outputs' names): what the Pulumi SDK costs for
resources of riva-tir's size, beside the engine floor of one property each."""
import json
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi_command import local
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class NothingProvider(ResourceProvider):
    """Creates nothing; diffs its inputs like the TIR providers do (no API calls)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["name"], props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds.get("name") != news.get("name"))


class Nothing(Resource):
    def __init__(self, name: str, properties: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(NothingProvider(), name, {**properties, "name": name}, opts)


class Group(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("bench:floor:Group", name, None, opts)
        self.register_outputs({})


def declare(graph: list[dict[str, Any]], with_properties: bool) -> None:
    made: dict[str, pulumi.Resource] = {}
    for item in graph:
        opts = pulumi.ResourceOptions(parent=made.get(item["parent"]),
                                      depends_on=[made[d] for d in item["deps"] if d in made])
        if item["component"]:
            made[item["name"]] = Group(item["name"], opts)
        elif item.get("command"):
            made[item["name"]] = local.Command(item["name"], create="true", opts=opts)
        else:
            made[item["name"]] = Nothing(item["name"], item["properties"] if with_properties else {}, opts)


# dill pickles this program's provider class by value, and in a graph of hundreds of
# resources (20 deployments) that nests deeper than Python's default limit of 1000.
sys.setrecursionlimit(20000)
config = pulumi.Config("bench")
declare(json.loads(Path(config.require("graph")).read_text()), config.get_bool("properties") or False)
