// Package lifecycle holds what local and remote Command share: which command a
// step runs, with which environment, and what it records.
package lifecycle

import (
	"context"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Names of the variables carrying the previous run's output.
const (
	EnvStdout = "PULUMI_COMMAND_STDOUT"
	EnvStderr = "PULUMI_COMMAND_STDERR"
)

// UpdateCommand picks `update` when set, else `create` (pulumi-command's rule);
// ok is false when neither is set and nothing should run.
func UpdateCommand(update, create *string) (cmd string, ok bool) {
	switch {
	case update != nil:
		return *update, true
	case create != nil:
		return *create, true
	}
	return "", false
}

// Environment returns the user's variables plus, when addPrevious is unset or
// true and a previous run exists, PULUMI_COMMAND_STDOUT/STDERR.
func Environment(user map[string]string, addPrevious *bool, previous *Output) map[string]string {
	env := maps.Clone(user)
	if env == nil {
		env = map[string]string{}
	}
	if previous != nil && (addPrevious == nil || *addPrevious) {
		env[EnvStdout] = previous.Stdout
		env[EnvStderr] = previous.Stderr
	}
	return env
}

// Output is what a previous create or update printed.
type Output struct {
	Stdout string
	Stderr string
}

// NewID makes a resource id that is unique but keeps the resource name readable.
func NewID(name string) (string, error) {
	id, err := resource.NewUniqueHex(name+"-", 8, 0)
	if err != nil {
		return "", fmt.Errorf("generating id: %w", err)
	}
	return id, nil
}

// Runner runs one command; previous is the recorded output (nil at create).
type Runner func(ctx context.Context, cmd string, previous *Output) (stdout, stderr string, err error)

// Create runs `create`, unless this is a preview or there is none.
func Create(ctx context.Context, name string, dryRun bool, create *string, run Runner) (string, Output, error) {
	id, err := NewID(name)
	if err != nil || dryRun || create == nil {
		return id, Output{}, err
	}
	stdout, stderr, err := run(ctx, *create, nil)
	return id, Output{Stdout: stdout, Stderr: stderr}, err
}

// Update runs `update` (else `create`), unless this is a preview or the command is
// missing or empty (`update: ""` means an update has nothing to do). It returns the
// recorded output when nothing ran or the run failed.
func Update(ctx context.Context, dryRun bool, update, create *string, recorded Output, run Runner) (Output, error) {
	cmd, ok := UpdateCommand(update, create)
	if dryRun || !ok || cmd == "" {
		return recorded, nil
	}
	stdout, stderr, err := run(ctx, cmd, &recorded)
	if err != nil {
		return recorded, err
	}
	return Output{Stdout: stdout, Stderr: stderr}, nil
}

// Delete runs `delete`, when there is one, with the recorded output.
func Delete(ctx context.Context, del *string, recorded Output, run Runner) error {
	if del == nil {
		return nil
	}
	_, _, err := run(ctx, *del, &recorded)
	return err
}
