package local

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"rivatir.local/engine/command/internal/lifecycle"
)

func ptr[T any](v T) *T { return &v }

func TestRunPassesEnvDirStdinAndPreviousOutput(t *testing.T) {
	dir := t.TempDir()
	s := CommandOutputs{CommandInputs: CommandInputs{
		Dir:         &dir,
		Environment: map[string]string{"FOO": "it's"},
		Stdin:       ptr("in"),
		Interpreter: &[]string{"/bin/bash", "-c"},
	}}
	out, errOut, err := s.run(context.Background(),
		`printf '%s|%s|%s|' "$FOO" "$PWD" "$PULUMI_COMMAND_STDOUT"; cat; echo oops >&2`,
		&lifecycle.Output{Stdout: "prev"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "it's|" + dir + "|prev|in"; out != want || errOut != "oops" {
		t.Fatalf("stdout %q stderr %q, want %q", out, errOut, want)
	}
}

func TestRunFailureCarriesCombinedOutput(t *testing.T) {
	s := CommandOutputs{}
	_, _, err := s.run(context.Background(), "echo visible; echo also >&2; exit 7", nil)
	// stdout and stderr are separate pipes: both lines are there, in either order.
	if err == nil || !strings.Contains(err.Error(), "exit status 7") ||
		!strings.Contains(err.Error(), "visible") || !strings.Contains(err.Error(), "also") {
		t.Fatalf("err = %v", err)
	}
	s.Logging = ptr(Logging("none"))
	_, _, err = s.run(context.Background(), "echo hidden-secret; exit 1", nil)
	if err == nil || strings.Contains(err.Error(), "hidden-secret") {
		t.Fatalf("logging none leaked output: %v", err)
	}
}

func TestRunCancelStopsCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := (&CommandOutputs{}).run(ctx, "sleep 30", nil); err == nil {
		t.Fatal("cancelled command reported success")
	}
}

func TestCheckRejectsUnsupportedAssetPathsAndDefaults(t *testing.T) {
	inputs := property.NewMap(map[string]property.Value{
		"create":     property.New("true"),
		"assetPaths": property.New([]property.Value{property.New("*.txt")}),
		"logging":    property.New("loud"),
	})
	resp, err := (&Command{}).Check(context.Background(), infer.CheckRequest{NewInputs: inputs})
	if err != nil {
		t.Fatal(err)
	}
	var props []string
	for _, f := range resp.Failures {
		props = append(props, f.Property)
	}
	if strings.Join(props, ",") != "assetPaths,logging" {
		t.Fatalf("failures %v", resp.Failures)
	}
	if resp.Inputs.AddPreviousOutputInEnv == nil || !*resp.Inputs.AddPreviousOutputInEnv {
		t.Fatal("addPreviousOutputInEnv default not applied")
	}
}
