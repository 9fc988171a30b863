"""The doctor's pure parts: which node record fields could hold an SSH address, masking,
the paste lines, the ingress header forms and the emulator's alternatives parsing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from riva_tir import ssh_probe
from riva_tir.doctor import Finding, Report, render
from riva_tir.tir.config import IngressSettings, SshFieldNames
from riva_tir.emulator.alternatives import Alternatives, parse_assignments

RECORD = {"id": 7, "name": "rt-doctor", "status": "running", "public_ip": "203.0.113.5", "port_no": "2222",
          "lab_url": "https://tir.example/lab", "api_token": "s3cret", "login_name": "jovyan", "disk_size_in_gb": 30}


def test_candidate_fields_put_the_configured_pair_first_and_find_the_others() -> None:
    configured = SshFieldNames()
    assert ssh_probe.candidate_fields(RECORD, configured) == [("public_ip", "port_no")]
    assert ssh_probe.candidate_fields({**RECORD, "ssh_host": "10.0.0.1", "ssh_port": 22}, configured)[0] \
        == ("ssh_host", "ssh_port")
    users = ssh_probe.candidate_users(RECORD, configured, None)
    assert users[0] == "root" and "jovyan" in users
    assert ssh_probe.candidate_users(RECORD, configured, "ubuntu")[0] == "ubuntu"


def test_masked_hides_secret_looking_fields() -> None:
    shown = ssh_probe.masked(RECORD)
    assert shown["api_token"] == "***" and shown["public_ip"] == "203.0.113.5"


def test_paste_lines_name_only_what_differs() -> None:
    found = ssh_probe.SshFinding(SshFieldNames(host="public_ip", port="ssh_port"), "jovyan", ())
    lines = dict(ssh_probe.paste_lines(found, SshFieldNames(), None, None))
    assert lines == {"tir.sshFields.host": "pulumi config set --path riva-tir:tir.sshFields.host public_ip",
                     "node.sshUser": "pulumi config set --path riva-tir:node.sshUser jovyan"}
    assert not dict(ssh_probe.paste_lines(found, SshFieldNames(host="public_ip"), "jovyan", None))


def test_project_header_forms() -> None:
    assert IngressSettings().project_value(42) == "42"
    assert IngressSettings(project_header="p-number").project_value(42) == "p-42"


def test_a_refuted_blocking_check_fails_and_prints_each_paste_line(capsys: pytest.CaptureFixture[str]) -> None:
    report = Report([Finding("a", "confirmed", "fine"), Finding("b", "refuted", "wrong", "line one\nline two"),
                     Finding("c", "refuted", "costly", "line three", blocking=False)])
    assert report.failed
    render(report)
    out = capsys.readouterr().out
    assert out.count("paste: ") == 3 and "paste: line two" in out
    assert not Report([Finding("c", "refuted", "costly", "x", blocking=False)]).failed


def test_alternatives_parse_and_refuse_unknown_names() -> None:
    values = parse_assignments(["login_user=jovyan", "custom_container_grpc_port=9000",
                                'status_names={"running": "active"}'])
    alt = Alternatives.model_validate(values)
    assert (alt.login_user, alt.custom_container_grpc_port, alt.wire_status("running")) == ("jovyan", 9000, "active")
    with pytest.raises(ValueError):
        alt.assign({"no_such_unknown": 1})
    with pytest.raises(ValueError):
        parse_assignments(["login_user"])


def test_paste_lines_quote_what_the_record_says() -> None:
    hostile = ssh_probe.SshFinding(SshFieldNames(host="ip;touch /tmp/x", port="ssh_port"), "a$(id)", ())
    lines = dict(ssh_probe.paste_lines(hostile, SshFieldNames(), None, None))
    assert lines["tir.sshFields.host"].endswith("'ip;touch /tmp/x'")
    assert lines["node.sshUser"].endswith("'a$(id)'")


def test_probe_names_are_this_deployments_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two stacks of one name (two project folders) never share a probe name; a deployed
    stack's probe carries its deployment's suffix; a drawn name is kept until deleted."""
    from riva_tir.doctor.node import ProbeNames

    monkeypatch.setenv("RIVA_TIR_CACHE", str(tmp_path / "cache"))
    assert ProbeNames("dev", "rt-dev", "rt-dev-k3x9q").new() == "rt-dev-k3x9q-doctor"
    drawn = {}
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        names = ProbeNames("dev", "rt-dev", None)
        drawn[folder] = names.new()
        assert re.fullmatch(r"rt-dev-[a-z0-9]{5}-doctor", drawn[folder])
        # A later run (a killed probe) finds it; it is forgotten once deleted.
        assert ProbeNames("dev", "rt-dev", None).left() == [drawn[folder]]
    assert drawn["one"] != drawn["two"]
    names = ProbeNames("dev", "rt-dev", "rt-dev-k3x9q")  # deployed since: both are looked for
    assert names.left() == ["rt-dev-k3x9q-doctor", drawn["two"]]
    names.gone(drawn["two"])
    assert names.left() == ["rt-dev-k3x9q-doctor"]
