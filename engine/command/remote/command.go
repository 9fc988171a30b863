// Package remote implements command:remote:Command over SSH.
package remote

import (
	"context"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/ssh"

	"rivatir.local/engine/command/internal/lifecycle"
	"rivatir.local/engine/command/internal/outstream"
	"rivatir.local/engine/command/internal/shellenv"
)

// Command runs shell commands on a remote host during create, update and delete.
type Command struct{}

// CommandInputs mirrors the SDK's remote CommandArgs wire names.
type CommandInputs struct {
	Connection             *Connection       `pulumi:"connection"                      provider:"secret,replaceOnChanges"`
	Environment            map[string]string `pulumi:"environment,optional"`
	Triggers               *[]any            `pulumi:"triggers,optional"               provider:"replaceOnChanges"`
	Create                 *string           `pulumi:"create,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

// CommandOutputs echoes the inputs and adds what the last run printed.
type CommandOutputs struct {
	CommandInputs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

var (
	_ infer.CustomResource[CommandInputs, CommandOutputs]       = (*Command)(nil)
	_ infer.CustomUpdate[CommandInputs, CommandOutputs]         = (*Command)(nil)
	_ infer.CustomDelete[CommandOutputs]                        = (*Command)(nil)
	_ infer.CustomCheck[CommandInputs]                          = (*Command)(nil)
	_ infer.ExplicitDependencies[CommandInputs, CommandOutputs] = (*Command)(nil)
)

// WireDependencies tells previews which inputs can change what an update prints: the
// commands it runs and their stdin (a `triggers` change replaces, and a new resource's
// outputs are unknown anyway). A new connection (a rotated key, another address) or
// environment alone keeps stdout known, so resources that read it are not shown as
// changing (with `update: ""` nothing runs; with `update` unset `create` runs again and
// may print something else, which a preview cannot know).
func (*Command) WireDependencies(f infer.FieldSelector, args *CommandInputs, state *CommandOutputs) {
	for _, out := range []any{&state.Stdout, &state.Stderr} {
		f.OutputField(out).DependsOn(f.InputField(&args.Create), f.InputField(&args.Update), f.InputField(&args.Stdin))
	}
}

func (c *Command) Annotate(a infer.Annotator) {
	a.SetToken("remote", "Command")
	a.Describe(&c, "A command to run on a remote host over SSH. Environment variables are sent over stdin "+
		"ahead of the command's own input (never on the command line, where the process list shows them), "+
		"because sshd drops SSH setenv requests not allowed by AcceptEnv.")
}

func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "The parameters with which to connect to the remote host.")
	a.Describe(&c.Environment, "Additional environment variables available to the command's process.")
	a.Describe(&c.Triggers, "The resource will be replaced if any of these values change.")
	a.Describe(&c.Create, "The command to run once on resource creation.")
	a.Describe(&c.Delete, "The command to run on resource deletion.")
	a.Describe(&c.Update, "The command to run when the resource is updated; `create` runs if this is unset. "+
		"An empty string runs nothing: the new inputs (say, a rotated key) are recorded for later steps.")
	a.Describe(&c.Stdin, "Pass a string to the command's process as standard in.")
	a.Describe(&c.Logging, "Which of stdout and stderr are logged. Defaults to both.")
	a.Describe(&c.AddPreviousOutputInEnv, "Inject the previous stdout and stderr as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR.")
	a.SetDefault(&c.AddPreviousOutputInEnv, true)
}

func (c *CommandOutputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdout, "The standard output of the command's process.")
	a.Describe(&c.Stderr, "The standard error of the command's process.")
}

// Check applies defaults and rejects an unknown logging mode early.
func (*Command) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CommandInputs], error) {
	inputs, failures, err := infer.DefaultCheck[CommandInputs](ctx, req.NewInputs)
	if err == nil && inputs.Logging != nil {
		if verr := outstream.ValidateMode(string(*inputs.Logging)); verr != nil {
			failures = append(failures, p.CheckFailure{Property: "logging", Reason: verr.Error()})
		}
	}
	return infer.CheckResponse[CommandInputs]{Inputs: inputs, Failures: failures}, err
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
	if NothingSent(err) {
		// A host that no longer answers (deleted, or stopped for good) has nothing left to
		// clean up; one that refuses the recorded key or shows another host key (this
		// resource's connection predates a key rotation or a rebuild) got nothing from us.
		// Failing here would leave a run, or a destroy, that can never finish.
		p.GetLogger(ctx).Warningf("delete command not run, its cleanup is skipped: %v", err)
		return infer.DeleteResponse{}, nil
	}
	return infer.DeleteResponse{}, err
}

// run executes cmd in a fresh SSH session, streaming output lines to the
// Pulumi log as they arrive and returning both streams once it exits.
func (s *CommandOutputs) run(ctx context.Context, cmd string, previous *lifecycle.Output) (string, string, error) {
	line, stdinPrefix, err := shellenv.Wrap(lifecycle.Environment(s.Environment, s.AddPreviousOutputInEnv, previous), cmd)
	if err != nil {
		return "", "", err
	}
	client, err := s.Connection.Dial(ctx)
	if err != nil {
		return "", "", err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()
	stdin := stdinPrefix
	if s.Stdin != nil {
		stdin += *s.Stdin
	}
	if stdin != "" {
		session.Stdin = strings.NewReader(stdin)
	}
	mode := s.Logging.mode()
	capture := outstream.New(mode, p.GetLogger(ctx).InfoStatus)
	session.Stdout, session.Stderr = capture.Stdout(), capture.Stderr()

	stop := context.AfterFunc(ctx, func() {
		_ = session.Signal(ssh.SIGTERM)
		_ = client.Close()
	})
	err = session.Run(line)
	stop()
	stdout, stderr, combined := capture.Finish()
	if err != nil {
		return "", "", outstream.Failure(err, mode, combined)
	}
	return stdout, stderr, nil
}
