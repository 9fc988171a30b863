"""The shared bench set-up: one in-process TIR emulator and real engine runs against it.

Stacks are driven the way the integration harness (tests/integration/harness.py) drives
them: the Automation API with the project's engine (tests/conftest.py), a temporary
project folder whose program runs a real program file, and the emulator's request log
as the count of TIR calls. Every timed operation returns its wall time and the calls it
made, so each benchmark compares like with like in the same run.
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pulumi import automation as auto

from tests.conftest import ROOT, engine_env, pulumi_command, workspace_options
from tests.integration.harness import base_config
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, EmulatorServer
from riva_tir.emulator.riva_tools import make_riva_archive

T = TypeVar("T")
PROGRAMS = Path(__file__).resolve().parent / "programs"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TimedCli(auto.PulumiCommand):
    """The project's CLI, keeping how long its last run of each command took: a user's
    `pulumi up` waits for that run alone, not for what the Automation API reads after it
    (the stack's outputs and its last update, ~1 s together)."""

    def __init__(self, cli: auto.PulumiCommand) -> None:
        self.command, self.version = cli.command, cli.version  # checked once already
        self.seconds: dict[str, float] = {}

    def run(self, args: list[str], cwd: str, additional_env: Mapping[str, str],
            on_output: auto.OnOutput | None = None, on_error: auto.OnOutput | None = None) -> auto.CommandResult:
        start = time.perf_counter()
        try:
            return super().run(args, cwd, additional_env, on_output, on_error)
        finally:
            self.seconds[next(arg for arg in args if not arg.startswith("-"))] = time.perf_counter() - start


def cli_seconds(stack: auto.Stack, command: str) -> float:
    """How long the last `pulumi <command>` of `stack` ran."""
    cli = stack.workspace.pulumi_command
    assert isinstance(cli, TimedCli), "a stack of Bench.stack"
    return cli.seconds[command]


@dataclass
class Timed:
    """One operation: wall seconds and the TIR API calls it made (request-log entries)."""

    seconds: float
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return sum(1 for c in self.calls if c["method"] in WRITE_METHODS)

    @property
    def reads(self) -> int:
        return sum(1 for c in self.calls if c["method"] not in WRITE_METHODS)


class Bench:
    """The emulator, a scratch folder and helpers every benchmark uses."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.emulator = EmulatorServer(port=0, data_dir=out / "emulator", speed="instant")
        self._cli = TimedCli(pulumi_command())

    def __enter__(self) -> Bench:
        # A run starts from nothing: stacks or emulator state an interrupted run left
        # would point at that run's emulator ports. Generated artifacts are kept.
        for scratch in ("emulator", "projects", "state"):
            shutil.rmtree(self.out / scratch, ignore_errors=True)
        self.emulator.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.emulator.stop()

    # -- emulator ------------------------------------------------------------------------
    def set_delays(self, seconds: Mapping[str, float]) -> None:
        """Per-transition provisioning delays (riva_tir/emulator/lifecycle.py names)."""
        self.emulator.lifecycle.set_speed(dict(seconds))

    def inventory(self) -> dict[str, Any]:
        return self.emulator.control.inventory()

    def timed(self, operation: Callable[[], T]) -> tuple[T, Timed]:
        """Run `operation`; its wall time and the API calls logged meanwhile."""
        self.emulator.control.clear_requests()
        start = time.perf_counter()
        result = operation()
        seconds = time.perf_counter() - start
        return result, Timed(seconds, self.emulator.control.requests())

    # -- stacks --------------------------------------------------------------------------
    def artifact(self, name: str, size_bytes: int, seed: int = 0) -> Path:
        path = self.out / "artifacts" / f"{name}.riva"
        if not path.exists() or path.stat().st_size < size_bytes:
            make_riva_archive(path, model="parakeet-ctc-0.6b-en-us", key="tlt_encode",
                              size_bytes=size_bytes, seed=seed)
        return path

    def stack(self, name: str, program: Path, config: Mapping[str, Any]) -> auto.Stack:
        """A fresh stack in its own project folder and file backend, running `program`."""
        project = self.out / "projects" / name
        project.mkdir(parents=True, exist_ok=True)
        (project / "Pulumi.yaml").write_text("name: riva-tir\nruntime: python\n")
        (project / "__main__.py").write_text(textwrap.dedent(f"""
            import runpy
            runpy.run_path({str(program)!r}, run_name="__main__")
        """))
        backend = self.out / "state" / name
        backend.mkdir(parents=True, exist_ok=True)
        stack = auto.create_or_select_stack(name, work_dir=str(project), opts=workspace_options(
            engine_env(backend), secrets_provider="passphrase", pulumi_command=self._cli))
        stack.set_all_config({key: auto.ConfigValue(str(value)) for key, value in config.items()}, path=True)
        stack.set_all_config({
            "riva-tir:tirApiKey": auto.ConfigValue(DEFAULT_API_KEY, secret=True),
            "riva-tir:tirAuthToken": auto.ConfigValue(DEFAULT_AUTH_TOKEN, secret=True),
        }, path=True)
        return stack

    def riva_stack(self, name: str, artifact: Path, extra: Mapping[str, Any] | None = None) -> auto.Stack:
        """The product's own program (__main__.py) with the integration tests' config."""
        config = {**base_config(self.emulator, artifact), "riva-tir:namePrefix": name, **(extra or {})}
        return self.stack(name, ROOT / "__main__.py", config)


def resources(stack: auto.Stack) -> list[dict[str, Any]]:
    """The stack's resources from its state (type, urn, parent, dependencies)."""
    return list((stack.export_stack().deployment or {}).get("resources", []))


def cpu_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, every process: /proc/stat),
    so a run's share of the cores shows whether it waited on TIR or on the CPU."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def finished_children_cpu_seconds() -> float:
    """CPU seconds of this process's children that have ended: an engine run (the `pulumi`
    CLI, the program and the provider host it starts) once the Automation API returns, and
    the commands the emulated nodes ran (conversions). The emulator's servers keep running,
    so they are not in it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextmanager
def destroyed(stack: auto.Stack) -> Iterator[auto.Stack]:
    """Destroy the stack and remove it afterwards, even if the benchmark fails."""
    try:
        yield stack
    finally:
        stack.destroy()
        stack.workspace.remove_stack(stack.name)
