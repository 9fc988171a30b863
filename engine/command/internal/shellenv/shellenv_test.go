package shellenv

import (
	"os/exec"
	"strings"
	"testing"
)

func TestQuoteRoundTripsThroughSh(t *testing.T) {
	values := []string{"", "plain", "it's", `a"b`, "$HOME `id` $(id)", "line1\nline2", `back\slash`, "'''"}
	for _, v := range values {
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+Quote(v)).Output()
		if err != nil {
			t.Fatalf("sh failed for %q: %v", v, err)
		}
		if string(out) != v {
			t.Errorf("Quote(%q) read back as %q", v, out)
		}
	}
}

func TestWrapSendsEnvironmentOverStdin(t *testing.T) {
	env := map[string]string{"B": "two words", "A": "it's $x", "PULUMI_COMMAND_STDOUT": "multi\nline"}
	line, prefix, err := Wrap(env, `printf '%s|%s|%s|' "$A" "$B" "$PULUMI_COMMAND_STDOUT"; cat`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(prefix, "export A=") || strings.Index(prefix, "export B=") > strings.Index(prefix, "export PULUMI") {
		t.Errorf("exports not sorted: %q", prefix)
	}
	for _, value := range env {
		if strings.Contains(line, value) {
			t.Errorf("command line %q carries the value %q", line, value)
		}
	}
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Stdin = strings.NewReader(prefix + "the command's own stdin")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "it's $x|two words|multi\nline|the command's own stdin"; string(out) != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestExportsRejectBadNames(t *testing.T) {
	for _, name := range []string{"", "1A", "A-B", "A B", "A;rm"} {
		if _, err := Exports(map[string]string{name: "v"}); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
}

func TestWrapLimit(t *testing.T) {
	if _, _, err := Wrap(nil, strings.Repeat("a", MaxCommandBytes+1)); err == nil {
		t.Fatal("oversized command accepted")
	}
	if _, _, err := Wrap(map[string]string{"X": strings.Repeat("a", MaxCommandBytes)}, "true"); err != nil {
		t.Fatalf("a large environment is not bounded by the command line: %v", err)
	}
	line, prefix, err := Wrap(nil, "echo hi")
	if err != nil || line != "echo hi" || prefix != "" {
		t.Fatalf("Wrap(nil) = %q, %q, %v", line, prefix, err)
	}
}
