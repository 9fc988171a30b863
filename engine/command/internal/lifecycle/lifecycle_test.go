package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateCommand(t *testing.T) {
	if cmd, ok := UpdateCommand(ptr("u"), ptr("c")); !ok || cmd != "u" {
		t.Errorf("update not preferred: %q %v", cmd, ok)
	}
	if cmd, ok := UpdateCommand(nil, ptr("c")); !ok || cmd != "c" {
		t.Errorf("create not used as fallback: %q %v", cmd, ok)
	}
	if _, ok := UpdateCommand(nil, nil); ok {
		t.Error("ran something with no commands")
	}
}

func TestEnvironmentPreviousOutput(t *testing.T) {
	prev := &Output{Stdout: "out", Stderr: ""}
	user := map[string]string{"A": "1"}
	env := Environment(user, nil, prev)
	if env["A"] != "1" || env[EnvStdout] != "out" {
		t.Errorf("default should add previous output: %v", env)
	}
	if v, ok := env[EnvStderr]; !ok || v != "" {
		t.Errorf("empty stderr should still be set: %v", env)
	}
	if _, ok := user[EnvStdout]; ok {
		t.Error("user map mutated")
	}
	if env := Environment(user, ptr(false), prev); len(env) != 1 {
		t.Errorf("addPreviousOutputInEnv=false leaked outputs: %v", env)
	}
	if env := Environment(nil, ptr(true), nil); len(env) != 0 {
		t.Errorf("create step must not get previous output: %v", env)
	}
}

func TestNewIDKeepsName(t *testing.T) {
	a, err := NewID("web")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewID("web")
	if !strings.HasPrefix(a, "web-") || a == b {
		t.Errorf("ids %q %q", a, b)
	}
}

func TestUpdateKeepsTheRecordedOutputWhenNothingRuns(t *testing.T) {
	recorded := Output{Stdout: "was", Stderr: ""}
	ran := 0
	run := func(_ context.Context, cmd string, previous *Output) (string, string, error) {
		ran++
		if previous == nil || previous.Stdout != "was" {
			t.Errorf("run without the recorded output: %v", previous)
		}
		if cmd == "fail" {
			return "partial", "", errors.New("boom")
		}
		return "now:" + cmd, "", nil
	}
	for _, tc := range []struct {
		dryRun         bool
		update, create *string
		want           string
	}{
		{true, ptr("u"), nil, "was"},      // a preview runs nothing
		{false, ptr(""), ptr("c"), "was"}, // `update: ""`: nothing to do
		{false, nil, nil, "was"},
		{false, nil, ptr("c"), "now:c"},
		{false, ptr("fail"), nil, "was"}, // a failed run records nothing new
	} {
		out, _ := Update(context.Background(), tc.dryRun, tc.update, tc.create, recorded, run)
		if out.Stdout != tc.want {
			t.Errorf("Update(%v, %v, %v) = %q, want %q", tc.dryRun, tc.update, tc.create, out.Stdout, tc.want)
		}
	}
	if ran != 2 {
		t.Errorf("ran %d commands, want 2", ran)
	}
	if err := Delete(context.Background(), nil, recorded, run); err != nil || ran != 2 {
		t.Errorf("a missing delete ran something: %v", err)
	}
}
