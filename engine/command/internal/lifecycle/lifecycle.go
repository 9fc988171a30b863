// Package lifecycle holds the decisions that local and remote Command share:
// which command a step runs and which environment it gets.
package lifecycle

import (
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
