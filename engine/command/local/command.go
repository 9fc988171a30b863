// Package local implements command:local:Command, which runs commands on the machine running Pulumi.
package local

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"rivatir.local/engine/command/internal/lifecycle"
	"rivatir.local/engine/command/internal/outstream"
)

// Command runs a local command during create, update and delete.
type Command struct{}

// CommandInputs mirrors the SDK's local CommandArgs wire names.
type CommandInputs struct {
	Interpreter            *[]string         `pulumi:"interpreter,optional"`
	Dir                    *string           `pulumi:"dir,optional"`
	Environment            map[string]string `pulumi:"environment,optional"`
	Triggers               *[]any            `pulumi:"triggers,optional"               provider:"replaceOnChanges"`
	Create                 *string           `pulumi:"create,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
	AssetPaths             *[]string         `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string         `pulumi:"archivePaths,optional"`
}

// CommandOutputs echoes the inputs and adds what the last run printed.
type CommandOutputs struct {
	CommandInputs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

var (
	_ infer.CustomResource[CommandInputs, CommandOutputs] = (*Command)(nil)
	_ infer.CustomUpdate[CommandInputs, CommandOutputs]   = (*Command)(nil)
	_ infer.CustomDelete[CommandOutputs]                  = (*Command)(nil)
	_ infer.CustomCheck[CommandInputs]                    = (*Command)(nil)
)

// defaultInterpreter is pulumi-command's choice on Linux and macOS.
var defaultInterpreter = []string{"/bin/sh", "-c"}

// killGrace is how long a cancelled command's process group gets between SIGTERM and SIGKILL.
const killGrace = 10 * time.Second

func (c *Command) Annotate(a infer.Annotator) {
	a.SetToken("local", "Command")
	a.Describe(&c, "A local command to be executed during create, update and delete.")
}

func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Interpreter, "The program and arguments to run the command. Defaults to [\"/bin/sh\", \"-c\"].")
	a.Describe(&c.Dir, "The directory from which to run the command; it must exist.")
	a.Describe(&c.Environment, "Additional environment variables available to the command's process.")
	a.Describe(&c.Triggers, "The resource will be replaced if any of these values change.")
	a.Describe(&c.Create, "The command to run once on resource creation.")
	a.Describe(&c.Delete, "The command to run on resource deletion.")
	a.Describe(&c.Update, "The command to run when the resource is updated; `create` runs if this is empty.")
	a.Describe(&c.Stdin, "Pass a string to the command's process as standard in.")
	a.Describe(&c.Logging, "Which of stdout and stderr are logged. Defaults to both.")
	a.Describe(&c.AddPreviousOutputInEnv, "Inject the previous stdout and stderr as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR.")
	a.SetDefault(&c.AddPreviousOutputInEnv, true)
	a.Describe(&c.AssetPaths, "Not supported by this provider build; setting it fails the check.")
	a.Describe(&c.ArchivePaths, "Not supported by this provider build; setting it fails the check.")
}

func (c *CommandOutputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdout, "The standard output of the command's process.")
	a.Describe(&c.Stderr, "The standard error of the command's process.")
}

// Check applies defaults and rejects what this build cannot honour, rather
// than silently ignoring it: asset/archive collection and bad logging modes.
func (*Command) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CommandInputs], error) {
	inputs, failures, err := infer.DefaultCheck[CommandInputs](ctx, req.NewInputs)
	if err != nil {
		return infer.CheckResponse[CommandInputs]{Inputs: inputs, Failures: failures}, err
	}
	if inputs.Logging != nil {
		if verr := outstream.ValidateMode(string(*inputs.Logging)); verr != nil {
			failures = append(failures, p.CheckFailure{Property: "logging", Reason: verr.Error()})
		}
	}
	for name, v := range map[string]*[]string{"assetPaths": inputs.AssetPaths, "archivePaths": inputs.ArchivePaths} {
		if v != nil && len(*v) > 0 {
			failures = append(failures, p.CheckFailure{Property: name,
				Reason: name + " is not supported by this pulumi-resource-command build; copy files in the command instead"})
		}
	}
	if inputs.Interpreter != nil && len(*inputs.Interpreter) == 0 {
		failures = append(failures, p.CheckFailure{Property: "interpreter", Reason: "interpreter must name a program"})
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].Property < failures[j].Property })
	return infer.CheckResponse[CommandInputs]{Inputs: inputs, Failures: failures}, nil
}

func (*Command) Create(ctx context.Context, req infer.CreateRequest[CommandInputs]) (infer.CreateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs}
	id, out, err := lifecycle.Create(ctx, req.Name, req.DryRun, req.Inputs.Create, state.run)
	state.Stdout, state.Stderr = out.Stdout, out.Stderr
	return infer.CreateResponse[CommandOutputs]{ID: id, Output: state}, err
}

func (*Command) Update(ctx context.Context, req infer.UpdateRequest[CommandInputs, CommandOutputs]) (infer.UpdateResponse[CommandOutputs], error) {
	state := CommandOutputs{CommandInputs: req.Inputs}
	recorded := lifecycle.Output{Stdout: req.State.Stdout, Stderr: req.State.Stderr}
	out, err := lifecycle.Update(ctx, req.DryRun, req.Inputs.Update, req.Inputs.Create, recorded, state.run)
	state.Stdout, state.Stderr = out.Stdout, out.Stderr
	return infer.UpdateResponse[CommandOutputs]{Output: state}, err
}

func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandOutputs]) (infer.DeleteResponse, error) {
	recorded := lifecycle.Output{Stdout: req.State.Stdout, Stderr: req.State.Stderr}
	err := lifecycle.Delete(ctx, req.State.Delete, recorded, req.State.run)
	return infer.DeleteResponse{}, err
}

// run starts the interpreter in its own process group, so a cancelled
// update stops the whole command tree, and streams its output to the log.
func (s *CommandOutputs) run(ctx context.Context, command string, previous *lifecycle.Output) (string, string, error) {
	argv := defaultInterpreter
	if s.Interpreter != nil {
		argv = *s.Interpreter
	}
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string{}, argv[1:]...), command)...)
	if s.Dir != nil {
		cmd.Dir = *s.Dir
	}
	cmd.Env = os.Environ()
	for k, v := range lifecycle.Environment(s.Environment, s.AddPreviousOutputInEnv, previous) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if s.Stdin != nil && *s.Stdin != "" {
		cmd.Stdin = strings.NewReader(*s.Stdin)
	}
	mode := s.Logging.mode()
	capture := outstream.New(mode, p.GetLogger(ctx).InfoStatus)
	cmd.Stdout, cmd.Stderr = capture.Stdout(), capture.Stderr()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = killGrace

	err := cmd.Run()
	stdout, stderr, combined := capture.Finish()
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return "", "", err
		}
		return "", "", outstream.Failure(err, mode, combined)
	}
	return stdout, stderr, nil
}
