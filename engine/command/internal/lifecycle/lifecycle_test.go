package lifecycle

import (
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
