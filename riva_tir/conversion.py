"""RivaConversion: riva-build and riva-deploy on the node, then the resulting Triton model
repository published to the model repository's bucket, as pulumi-command steps over SSH.

Each step's script is its identity (`triggers`): a changed model, flag, Riva version or
key re-runs build, deploy and publish; a new address, a rotated SSH key or new bucket keys
only update the stored connection (`update: ""` runs nothing). Every run works in a folder
of its own and publishes to a location of its own, printed on stdout, which its delete
removes: a replacement converts and publishes the new revision while the old one still
serves, the Triton endpoint switches to the new location, and only then is the old one
deleted (docs/security.md, "Publishing"). Values reach the scripts quoted, secrets through
the environment (riva_tir/remote_shell.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import NamedTuple

import pulumi
from pulumi_command import remote

from riva_tir.speech_models import AsrModel, Entry, build_command, prebuilt
from riva_tir.remote_shell import MASK, MC_ALIAS, keyed_tool, mc_session, quote, script

WORK_DIR = "riva-tir/conversions"

# ASSUMPTION (docs/riva.md §6): riva-deploy (or the model) leaves the TensorRT plugins the
# repository needs as `*.so` files in `plugins/` beside the repository, as riva_start.sh
# finds them in `/data/plugins` beside `/data/models`. The build step lists the non-empty
# ones as `plugins/<file>` lines, which no model name can be (a model is one folder name).
PLUGINS_DIR = "plugins"
# Plugin file names become paths in LD_PRELOAD and arguments of later steps: only these.
PLUGIN_NAME = r"^[A-Za-z0-9._+-]+\.so$"
PLUGIN_REFUSED = "riva-deploy left a plugin whose file name riva-tir does not publish: %q (it must match %s)\n"

# What a failed riva-build means for the stack: only the node can read the `.riva`.
BUILD_HINT = ("riva-build could not read the model: check riva-tir:modelKey (the key the .riva was "
              "encrypted with) and that riva-tir:model names a valid .riva")


class RivaConversion(pulumi.ComponentResource):
    """Turns the `.riva` artifact into a Triton model repository in the bucket."""

    revision: pulumi.Output[str]
    location: pulumi.Output[str]
    models: pulumi.Output[list[str]]
    plugins: pulumi.Output[list[str]]

    def __init__(self, name: str, *, connection: remote.ConnectionArgs, entry: Entry,
                 artifacts: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]], riva_version: str,
                 model_key: pulumi.Output[str], bucket: pulumi.Input[str], bucket_endpoint: pulumi.Input[str],
                 bucket_access_key: pulumi.Input[str], bucket_secret_key: pulumi.Output[str], prefix: str,
                 republish: pulumi.Input[str] = "", timeout_minutes: int = 120, hint: str = BUILD_HINT,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        """`artifacts`: the entry's files on the node by role (riva_tir/speech_models.py), each
        its (path, sha256)."""
        super().__init__("riva-tir:riva:RivaConversion", name, None, opts)
        roles = sorted(artifacts)
        identity = build_identity(entry, roles)
        self.revision = pulumi.Output.all(*(artifacts[r][1] for r in roles)).apply(
            lambda shas: hashlib.sha256(json.dumps(
                [shas[0] if isinstance(entry, AsrModel) else dict(zip(roles, shas)), *identity, riva_version]
            ).encode()).hexdigest()[:16])

        build = pulumi.Output.all(self.revision, *(artifacts[r][0] for r in roles)).apply(
            lambda a: build_script(f"{WORK_DIR}/{name}", dict(zip(roles, a[1:])), a[0], entry, riva_version, hint))
        self.build = remote.Command(
            f"{name}-build", connection=connection, create=build, update="",
            delete=remove_own_output(f"{WORK_DIR}/{name}/"),
            # How long a step may take is no part of what it makes: a new timeout re-runs nothing.
            environment={"RIVA_MODEL_KEY": model_key, "STEP_TIMEOUT_SECONDS": str(timeout_minutes * 60)},
            # The model key re-runs the build too; as a trigger it stays secret in state.
            triggers=[build, model_key],
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["triggers"]))

        output = self.build.stdout.apply(built)
        work = output.apply(lambda b: b.work)
        # The plugins riva-deploy left (file names): unknown at a fresh stack's preview.
        self.plugins = output.apply(lambda b: b.plugins)
        publish = pulumi.Output.all(bucket, work, self.revision, self.plugins).apply(
            lambda a: publish_script(a[0], prefix, a[1], a[2], a[3]))
        unpublish = pulumi.Output.from_input(bucket).apply(lambda b: unpublish_script(b, prefix))
        endpoint = pulumi.Output.from_input(bucket_endpoint).apply(lambda e: e if "://" in e else f"https://{e}")
        self.publish = remote.Command(
            f"{name}-publish", connection=connection, create=publish, update="", delete=unpublish,
            environment={"BUCKET_ENDPOINT": endpoint, "BUCKET_ACCESS_KEY": bucket_access_key,
                         "BUCKET_SECRET_KEY": bucket_secret_key},
            # A new `republish` value (the bucket was emptied) publishes again, to a new location.
            triggers=[publish, republish],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.build]))

        # Where the published revision is, in the bucket: Triton reads it, so it waits for the
        # publish step. The revision itself is known before (a preview shows an endpoint
        # restarting only when the models really change).
        self.location = self.publish.stdout
        # The models riva-deploy wrote (its flags name them): unknown at a fresh stack's
        # preview, recorded in state after.
        self.models = output.apply(lambda b: b.models)
        self.register_outputs({"revision": self.revision, "location": self.location, "models": self.models,
                               "plugins": self.plugins})


def build_identity(entry: Entry, roles: list[str]) -> list[object]:
    """What else makes a revision: the build (its flags, the files by role) and the Riva
    version (added by the caller). An ASR model's is what it always was: its flags alone."""
    if isinstance(entry, AsrModel):
        return [entry.pipeline.build_flags()]
    task, inputs, flags = build_command(entry, {role: f"<{role}>" for role in roles})
    return [task, inputs, flags, prebuilt(entry)]


def build_script(base: str, paths: dict[str, str], revision: str, entry: Entry, riva_version: str,
                 hint: str = BUILD_HINT) -> str:
    """riva-build (unless the model is a prebuilt RMIR) + riva-deploy into a new folder under
    `base`; prints that folder, then the Triton models (folders with a `config.pbtxt`)
    riva-deploy wrote into its repository, one a line, then the plugins it left, one
    `plugins/<file>` a line (none: no lines)."""
    if prebuilt(entry):
        rmir, steps = quote(paths["model"]), []
    else:
        rmir = f'"$work"/{quote(entry.key + ".rmir")}'
        task, inputs, flags = build_command(entry, paths)
        build = keyed_tool("riva-build", [task, "-f", rmir, *(quote(i) for i in inputs), *(quote(f) for f in flags)],
                           keyed=list(range(2, 3 + len(inputs))))
        steps = [f'{{ timeout "$STEP_TIMEOUT_SECONDS" {build} 2>&1 | {MASK}; }} >&2 || '
                 f'{{ echo {quote(hint)} >&2; exit 1; }}']
    deploy = keyed_tool("riva-deploy", ["-f", rmir, '"$work/model-repository"'], keyed=[1])
    return script(
        f"# riva {riva_version}, revision {revision}",
        f"mkdir -p {quote(base)}",
        f'work="$(mktemp -d {quote(base)}/XXXXXXXX)"',
        # A failed run leaves no half-built folder behind.
        "trap 'rm -rf -- \"$work\"' EXIT",
        *steps,
        f'{{ timeout "$STEP_TIMEOUT_SECONDS" {deploy} 2>&1 | {MASK}; }} >&2',
        'ls "$work/model-repository" >&2',
        # riva-deploy's model names are letters, digits, '.', '_' and '-' (Triton's rule).
        'models="$(cd "$work/model-repository" && find . -mindepth 2 -maxdepth 2 -name config.pbtxt '
        '| sed -e \'s|^\\./||\' -e \'s|/config\\.pbtxt$||\' | LC_ALL=C sort)"',
        # Every non-empty plugin, as riva_start.sh preloads them (docs/riva.md §6); a name
        # outside PLUGIN_NAME fails the step (and so removes the folder).
        f'plugins="$(export LC_ALL=C; re={quote(PLUGIN_NAME)}; for f in "$work"/{PLUGINS_DIR}/*.so; do '
        'if [ -s "$f" ]; then n="${f##*/}"; '
        f'[[ "$n" =~ $re ]] || {{ printf {quote(PLUGIN_REFUSED)} "$n" "$re" >&2; exit 1; }}; '
        f'printf \'{PLUGINS_DIR}/%s\\n\' "$n"; fi; done)"',
        "trap - EXIT",
        # Folders of earlier runs are done with (publish mirrored them already): remove any a
        # skipped delete left behind (its connection predated a key rotation or a rebuild).
        f'find {quote(base)} -mindepth 1 -maxdepth 1 -type d ! -path "$work" -exec rm -rf -- {{}} +',
        'printf \'%s\\n%s\' "$work" "$models"',
        # Without plugins the output is what it was before plugins were published.
        'if [ -n "$plugins" ]; then printf \'\\n%s\' "$plugins"; fi',
    )


class Built(NamedTuple):
    """What the build step printed."""

    work: str  # its folder
    models: list[str]  # the Triton models riva-deploy wrote
    plugins: list[str]  # the plugin files it left in `plugins/` (file names)


def built(stdout: str) -> Built:
    """The build step's output; a plugin line with a name outside PLUGIN_NAME is refused
    (the step checks too), so no name from the node reaches a shell or LD_PRELOAD as code."""
    work, *lines = stdout.split("\n")
    marker = f"{PLUGINS_DIR}/"
    plugins = [line[len(marker):] for line in lines if line.startswith(marker)]
    for plugin in plugins:
        if not re.fullmatch(PLUGIN_NAME, plugin):
            raise ValueError(f"the build step listed a plugin riva-tir does not publish: {plugin!r}")
    return Built(work, [m for m in lines if m and not m.startswith(marker)], plugins)


def publish_script(bucket: str, prefix: str, work: str, revision: str, plugins: list[str] | None = None) -> str:
    """Mirror the folder's model repository to a new `prefix/<revision>-<random>` location
    of the bucket, the plugins as plain files at its root; prints only that location.

    ASSUMPTION (docs/riva.md §6): Triton takes only the folders of a repository as models and
    ignores files at its root, so the plugins sit there, at `/mnt/models/<file>` in Triton's
    container (riva_tir/deployment.py preloads them)."""
    target = quote(f"{MC_ALIAS}/{bucket}/")
    copies = [f'{{ mc cp {quote(f"{work}/{PLUGINS_DIR}/{p}")} {target}"$location"/ 2>&1 | {MASK}; }} >&2'
              for p in plugins or []]
    return script(
        *mc_session(),
        f'location={quote(prefix)}/{quote(revision)}-"$(basename "$(mktemp -u XXXXXXXX)")"',
        f'{{ mc mirror --overwrite {quote(work + "/model-repository/")} '
        f'{target}"$location" 2>&1 | {MASK}; }} >&2',
        *copies,
        'printf %s "$location"',
    )


def unpublish_script(bucket: str, prefix: str) -> str:
    """Remove the location this publish step printed (and nothing else). A bucket that is
    gone, or no longer takes the recorded keys (its repository was deleted), has nothing
    left to clean: that is said, and the step succeeds, so `destroy` can finish."""
    target = quote(f"{MC_ALIAS}/{bucket}")
    remove = (f'if mc ls {target} >/dev/null 2>&1; then {{ mc rm --recursive --force {target}/"$PULUMI_COMMAND_STDOUT/" '
              f'2>&1 | {MASK}; }} >&2; else echo "bucket {bucket} is gone: nothing to remove" >&2; fi')
    return script(*mc_session(), remove_own_output(f"{prefix}/", remove))


def remove_own_output(under: str, remove: str = 'rm -rf -- "$PULUMI_COMMAND_STDOUT"') -> str:
    """Run `remove` only when the step's recorded output (its first line: the build step
    lists its models after it) is a path below `under`."""
    return (f'PULUMI_COMMAND_STDOUT="${{PULUMI_COMMAND_STDOUT%%$\'\\n\'*}}"; '
            f'case "$PULUMI_COMMAND_STDOUT" in {quote(under)}?*) {remove} ;; esac')
