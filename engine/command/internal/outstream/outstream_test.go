package outstream

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCaptureForwardsWholeLinesPerMode(t *testing.T) {
	cases := map[string][]string{
		"":                 {"o1", "e1", "o2", "tail"},
		LogStdoutAndStderr: {"o1", "e1", "o2", "tail"},
		LogStdout:          {"o1", "o2", "tail"},
		LogStderr:          {"e1"},
		LogNone:            nil,
	}
	for mode, want := range cases {
		var got []string
		c := New(mode, func(l string) { got = append(got, l) })
		fmt.Fprint(c.Stdout(), "o1\no")
		fmt.Fprint(c.Stderr(), "e1\r\n")
		fmt.Fprint(c.Stdout(), "2\ntail")
		stdout, stderr, combined := c.Finish()
		if !slices.Equal(got, want) {
			t.Errorf("mode %q forwarded %q, want %q", mode, got, want)
		}
		if stdout != "o1\no2\ntail" || stderr != "e1\r" || combined != "o1\noe1\r\n2\ntail" {
			t.Errorf("mode %q captured %q %q %q", mode, stdout, stderr, combined)
		}
	}
}

func TestFinishTrimsOneTrailingNewline(t *testing.T) {
	c := New(LogNone, nil)
	fmt.Fprint(c.Stdout(), "a\n\n")
	if stdout, _, _ := c.Finish(); stdout != "a\n" {
		t.Fatalf("stdout = %q", stdout)
	}
}

func TestValidateMode(t *testing.T) {
	if ValidateMode("stdoutAndStderr") != nil || ValidateMode("") != nil {
		t.Fatal("valid mode rejected")
	}
	if ValidateMode("both") == nil {
		t.Fatal("invalid mode accepted")
	}
}

func TestFailureWithholdsOutputWhenLoggingNone(t *testing.T) {
	base := fmt.Errorf("exit status 3")
	if got := Failure(base, LogStdout, "boom\n").Error(); got != "command failed: exit status 3; output:\nboom\n" {
		t.Errorf("got %q", got)
	}
	if got := Failure(base, LogNone, "s3cret").Error(); !strings.Contains(got, "exit status 3") || strings.Contains(got, "s3cret") {
		t.Errorf("secret output leaked: %q", got)
	}
}
