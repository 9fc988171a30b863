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

func TestExportPrefixSortedAndEvaluated(t *testing.T) {
	env := map[string]string{"B": "two words", "A": "it's $x", "PULUMI_COMMAND_STDOUT": "multi\nline"}
	prefix, err := ExportPrefix(env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(prefix, "export A=") || strings.Index(prefix, "export B=") > strings.Index(prefix, "export PULUMI") {
		t.Errorf("prefix not sorted: %q", prefix)
	}
	out, err := exec.Command("/bin/sh", "-c", prefix+`printf '%s|%s|%s' "$A" "$B" "$PULUMI_COMMAND_STDOUT"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "it's $x|two words|multi\nline"; string(out) != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestExportPrefixRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "1A", "A-B", "A B", "A;rm"} {
		if _, err := ExportPrefix(map[string]string{name: "v"}); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
}

func TestWrapLimit(t *testing.T) {
	if _, err := Wrap(map[string]string{"X": strings.Repeat("a", MaxCommandBytes)}, "true"); err == nil {
		t.Fatal("oversized command accepted")
	}
	line, err := Wrap(nil, "echo hi")
	if err != nil || line != "echo hi" {
		t.Fatalf("Wrap(nil) = %q, %v", line, err)
	}
}
