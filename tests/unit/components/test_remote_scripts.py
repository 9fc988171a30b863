"""The node scripts of the conversion (riva_tir/conversion.py) run by a real bash with
stand-in tools that record their argv: hostile values arrive as the same bytes, as data,
nothing they spell runs, and no secret is on any command line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from riva_tir.conversion import Built, build_script, built, publish_script, unpublish_script
from riva_tir.speech_models import AsrModel

def _asr(**fields: object) -> AsrModel:
    return AsrModel.model_validate({"kind": "asr", "ngc": "nvidia/riva/parakeet:1.0", **fields})


MODEL_KEY = "key-$(touch PWNED-key)-'\"`x`"
BUCKET_SECRET = "bucket/secret+KEY"
# Shell syntax of every kind; each would create a PWNED-* file if it ran.
HOSTILE = [
    "$(touch PWNED-subst).riva",
    "`touch PWNED-backtick`.riva",
    "a;touch PWNED-semicolon;b.riva",
    "q'uote\"d && touch PWNED-and.riva",
    "new\nline\ntouch PWNED-newline.riva",
    "$IFS${IFS}touch${IFS}PWNED-ifs.riva",
    "ünïcødé 模型 \u202e.riva",
    "-f --rm.riva",
    "x" * 240 + ".riva",
]

RECORDER = """#!{python}
import json, os, sys
with open(os.environ["ARGV_LOG"], "a") as log:
    log.write(json.dumps({{"tool": os.path.basename(sys.argv[0]), "argv": sys.argv[1:]}}) + "\\n")
{extra}
"""
DEPLOY = """out = sys.argv[-1]
os.makedirs(os.path.join(out, "model-a", "1"), exist_ok=True)
open(os.path.join(out, "model-a", "config.pbtxt"), "w").write("name: 'model-a'")
os.makedirs(os.path.join(out, "scratch"), exist_ok=True)  # no config.pbtxt: not a model
"""


@pytest.fixture
def node(tmp_path: Path) -> Path:
    """A home folder with stand-in riva-build, riva-deploy and mc on PATH."""
    home = tmp_path / "home"
    tools = tmp_path / "bin"
    home.mkdir()
    tools.mkdir()
    for name, extra in (("riva-build", ""), ("riva-deploy", DEPLOY), ("mc", "")):
        tool = tools / name
        tool.write_text(RECORDER.format(python=sys.executable, extra=extra))
        tool.chmod(0o755)
    return home


def _run(home: Path, script: str, env: dict[str, str] | None = None,
         stdout_of_last_run: str = "") -> subprocess.CompletedProcess[str]:
    tools = home.parent / "bin"
    full_env = {"HOME": str(home), "PATH": f"{tools}:{Path(sys.executable).parent}:/usr/bin:/bin",
                "ARGV_LOG": str(home.parent / "argv.log"), "RIVA_MODEL_KEY": MODEL_KEY,
                "BUCKET_ENDPOINT": "https://objectstore.example:443", "BUCKET_ACCESS_KEY": "AK",
                "BUCKET_SECRET_KEY": BUCKET_SECRET, "PULUMI_COMMAND_STDOUT": stdout_of_last_run,
                "STEP_TIMEOUT_SECONDS": "60",
                **(env or {})}
    return subprocess.run(["bash", "-c", script], cwd=home, env=full_env, capture_output=True, text=True,
                          timeout=60)


def _calls(home: Path) -> list[dict[str, object]]:
    log = home.parent / "argv.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _pwned(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("PWNED*"))


@pytest.mark.parametrize("name", HOSTILE)
def test_build_passes_the_file_name_and_key_as_data(node: Path, name: str) -> None:
    artifact = f"{node}/riva-tir/models/abc/{name}"
    script = build_script("riva-tir/conversions/riva-conversion", {"model": artifact}, "rev1", _asr(), "2.19.0")
    done = _run(node, script)
    assert done.returncode == 0, done.stderr
    calls = _calls(node)
    assert [c["tool"] for c in calls] == ["riva-build", "riva-deploy"]
    build, deploy = (c["argv"] for c in calls)
    assert isinstance(build, list) and isinstance(deploy, list)
    work, models, plugins = built(done.stdout)
    assert plugins == [] and done.stdout == f"{work}\nmodel-a"  # no plugins: the output of before
    assert work.startswith("riva-tir/conversions/riva-conversion/") and (node / work / "model-repository").is_dir()
    assert models == ["model-a"]  # what riva-deploy wrote, not a name derived from the pipeline
    # The exact bytes, with the key appended in-process to the keyed paths only.
    assert build[:4] == ["speech_recognition", "-f",
                         f"{work}/parakeet-0.6b-en-US-asr-streaming.rmir:{MODEL_KEY}", f"{artifact}:{MODEL_KEY}"]
    assert build[4:] == _asr().pipeline.build_flags()
    assert deploy == ["-f", f"{work}/parakeet-0.6b-en-US-asr-streaming.rmir:{MODEL_KEY}",
                      f"{work}/model-repository"]
    assert _pwned(node.parent) == []
    # The model key is in no command line: the script text itself never holds it.
    assert MODEL_KEY not in script


def test_hostile_flag_values_stay_data(node: Path) -> None:
    flags = {"nn.use_trt_fp32": "$(touch PWNED-flag)", "decoding_vocab": "a b;touch PWNED-flag2"}
    done = _run(node, build_script("riva-tir/conversions/c", {"model": "m.riva"}, "r", _asr(extra_flags=flags), "2.19.0"))
    assert done.returncode == 0, done.stderr
    build = _calls(node)[0]["argv"]
    assert isinstance(build, list)
    assert "--nn.use_trt_fp32=$(touch PWNED-flag)" in build and "--decoding_vocab=a b;touch PWNED-flag2" in build
    assert _pwned(node.parent) == []


def test_a_failed_build_leaves_no_folder(node: Path) -> None:
    (node.parent / "bin" / "riva-build").write_text("#!/bin/sh\necho 'decryption failed' >&2\nexit 3\n")
    done = _run(node, build_script("riva-tir/conversions/c", {"model": "m.riva"}, "r", _asr(), "2.19.0"))
    assert done.returncode == 1 and "check riva-tir:modelKey" in done.stderr
    assert list((node / "riva-tir" / "conversions" / "c").iterdir()) == []


def test_publish_uses_mc_host_and_leaves_no_config(node: Path) -> None:
    work = "riva-tir/conversions/c/AbCd1234"
    (node / work / "model-repository").mkdir(parents=True)
    script = publish_script("bucket-1", "riva-models", work, "rev1")
    done = _run(node, script)
    assert done.returncode == 0, done.stderr
    location = done.stdout
    assert location.startswith("riva-models/rev1-") and len(location) == len("riva-models/rev1-") + 8
    (mirror,) = _calls(node)
    assert mirror["argv"] == ["mirror", "--overwrite", f"{work}/model-repository/", f"rivatir/bucket-1/{location}"]
    assert BUCKET_SECRET not in script
    # No mc configuration (with or without the secret) is left in $HOME or the temp folder.
    assert not (node / ".mc").exists()
    assert BUCKET_SECRET.encode() not in b"".join(p.read_bytes() for p in node.rglob("*") if p.is_file())


def test_mc_gets_the_credentials_from_its_environment(node: Path) -> None:
    seen = node.parent / "mc-env.json"
    (node.parent / "bin" / "mc").write_text(
        f"#!{sys.executable}\nimport json, os\nprint('mc says ' + os.environ['MC_HOST_rivatir'])\n"
        f"json.dump([os.environ['MC_HOST_rivatir'], os.path.isdir(os.environ['MC_CONFIG_DIR'])], "
        f"open({str(seen)!r}, 'w'))\n")
    (node / "w" / "model-repository").mkdir(parents=True)
    done = _run(node, publish_script("b", "riva-models", "w", "r"))
    assert done.returncode == 0, done.stderr
    assert json.loads(seen.read_text()) == [f"https://AK:{BUCKET_SECRET}@objectstore.example:443", True]
    # What mc prints reaches the log masked.
    assert "mc says https://AK:***@objectstore.example:443" in done.stderr and BUCKET_SECRET not in done.stderr


def test_unpublish_removes_only_its_own_location(node: Path) -> None:
    done = _run(node, unpublish_script("bucket-1", "riva-models"), stdout_of_last_run="riva-models/rev1-AbCd1234")
    assert done.returncode == 0, done.stderr
    assert [c["argv"] for c in _calls(node)] == [
        ["ls", "rivatir/bucket-1"], ["rm", "--recursive", "--force", "rivatir/bucket-1/riva-models/rev1-AbCd1234/"]]
    # An output that is not a location below the prefix (an older step, or tampering) removes nothing.
    for recorded in ("", "riva-models", "riva-models/", "other/rev1", "/etc"):
        (node.parent / "argv.log").unlink(missing_ok=True)
        assert _run(node, unpublish_script("bucket-1", "riva-models"), stdout_of_last_run=recorded).returncode == 0
        assert _calls(node) == [], recorded


def test_unpublish_of_a_gone_bucket_succeeds_and_says_so(node: Path) -> None:
    (node.parent / "bin" / "mc").write_text("#!/bin/sh\necho 'mc: <ERROR> Bucket does not exist.' >&2\nexit 1\n")
    done = _run(node, unpublish_script("bucket-1", "riva-models"), stdout_of_last_run="riva-models/rev1-AbCd1234")
    assert done.returncode == 0 and "bucket bucket-1 is gone: nothing to remove" in done.stderr


def test_build_delete_removes_only_its_own_folder(node: Path) -> None:
    from riva_tir.conversion import remove_own_output

    keep = node / "keep"
    keep.mkdir()
    own = node / "riva-tir" / "conversions" / "c" / "AbCd1234"
    own.mkdir(parents=True)
    for recorded in ("", ".", "keep", "riva-tir/conversions/c/"):
        _run(node, remove_own_output("riva-tir/conversions/c/"), stdout_of_last_run=recorded)
    assert keep.is_dir() and own.is_dir()
    # The recorded output lists the models after the folder.
    _run(node, remove_own_output("riva-tir/conversions/c/"), stdout_of_last_run="riva-tir/conversions/c/AbCd1234\nm-a")
    assert not own.exists() and keep.is_dir()


def test_a_build_removes_folders_earlier_runs_left(node: Path) -> None:
    """A replaced build whose delete was skipped (its connection predates a key rotation)
    leaves its folder; the next build removes it, and nothing outside its own base."""
    base = node / "riva-tir" / "conversions" / "c"
    (base / "OldRun12").mkdir(parents=True)
    (node / "riva-tir" / "conversions" / "other" / "Keep1234").mkdir(parents=True)
    done = _run(node, build_script("riva-tir/conversions/c", {"model": "m.riva"}, "r", _asr(), "2.19.0"))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in base.iterdir()] == [Path(built(done.stdout)[0]).name]
    assert (node / "riva-tir" / "conversions" / "other" / "Keep1234").is_dir()


PLUGIN_DEPLOY = """out = sys.argv[-1]
os.makedirs(os.path.join(out, "model-a", "1"), exist_ok=True)
open(os.path.join(out, "model-a", "config.pbtxt"), "w").write("name: 'model-a'")
plugins = os.path.join(os.path.dirname(out), "plugins")
os.makedirs(plugins, exist_ok=True)
for name, data in json.loads(os.environ["PLUGINS"]).items():
    open(os.path.join(plugins, name), "w").write(data)
"""


def _deploy_leaves(node: Path, plugins: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (node.parent / "bin" / "riva-deploy").write_text(RECORDER.format(python=sys.executable, extra=PLUGIN_DEPLOY))
    return _run(node, build_script("riva-tir/conversions/c", {"model": "m.riva"}, "r", _asr(), "2.19.0"),
                env={"PLUGINS": json.dumps(plugins)})


def test_the_build_lists_the_non_empty_plugins_riva_deploy_left(node: Path) -> None:
    done = _deploy_leaves(node, {"libriva_b.so": "\x7fELF b", "libriva_a.so": "\x7fELF a", "empty.so": "",
                                 "notes.txt": "not a plugin", "libc++_x.so.1": "versioned: not *.so"})
    assert done.returncode == 0, done.stderr
    work, models, plugins = built(done.stdout)
    assert models == ["model-a"] and plugins == ["libriva_a.so", "libriva_b.so"]
    assert done.stdout == f"{work}\nmodel-a\nplugins/libriva_a.so\nplugins/libriva_b.so"


@pytest.mark.parametrize("name", ["$(touch PWNED-plugin).so", "a b.so", "new\nline.so", "ünï.so", "`touch PWNED-bt`.so"])
def test_a_plugin_name_outside_the_pattern_fails_the_build(node: Path, name: str) -> None:
    done = _deploy_leaves(node, {"libok.so": "ok", name: "\x7fELF"})
    assert done.returncode == 1 and "riva-deploy left a plugin whose file name riva-tir does not publish" in done.stderr
    assert _pwned(node.parent) == []
    assert list((node / "riva-tir" / "conversions" / "c").iterdir()) == []  # no half-built folder


def test_built_parses_models_and_plugins_apart() -> None:
    assert built("w/AbCd1234\nm-a\nm-b") == Built("w/AbCd1234", ["m-a", "m-b"], [])
    assert built("w/AbCd1234\n\nplugins/libx.so") == Built("w/AbCd1234", [], ["libx.so"])
    assert built("w/AbCd1234\nm-a\nplugins/liba.so\nplugins/lib+b-1.2.so") == \
        Built("w/AbCd1234", ["m-a"], ["liba.so", "lib+b-1.2.so"])
    for bad in ("plugins/$(x).so", "plugins/a/b.so", "plugins/x.txt", "plugins/"):
        with pytest.raises(ValueError, match="does not publish"):
            built(f"w/AbCd1234\nm-a\n{bad}")


def test_publish_copies_the_plugins_to_the_location_root(node: Path) -> None:
    work = "riva-tir/conversions/c/AbCd1234"
    (node / work / "model-repository").mkdir(parents=True)
    assert publish_script("bucket-1", "riva-models", work, "rev1", []) == \
        publish_script("bucket-1", "riva-models", work, "rev1")  # no plugins: the script of before
    done = _run(node, publish_script("bucket-1", "riva-models", work, "rev1", ["liba.so", "libb.so"]))
    assert done.returncode == 0, done.stderr
    location = done.stdout
    assert [c["argv"] for c in _calls(node)] == [
        ["mirror", "--overwrite", f"{work}/model-repository/", f"rivatir/bucket-1/{location}"],
        ["cp", f"{work}/plugins/liba.so", f"rivatir/bucket-1/{location}/"],
        ["cp", f"{work}/plugins/libb.so", f"rivatir/bucket-1/{location}/"],
    ]
