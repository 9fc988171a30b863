// Command pulumi-language-python is the project's Python language host: the v3.79 host
// (engine/langhost, installed beside this binary as pulumi-language-python-base) behind a
// gRPC pass-through that adds the one call the v3.259 engine needs and v3.79 lacks.
//
// Why: v3.259 boots Python policy packs (`pulumi preview --policy-pack DIR`) with the
// language host's RunPlugin(kind "analyzer", info = the pack's directory and options).
// The v3.79 host predates those fields and runs `python ""`, which executes the
// *program's* __main__.py instead of the pack. Newer hosts, which do this right, are not
// served by the Go module proxy (see engine/langhost/tools.go). Every other call,
// including RunPlugin for other plugin kinds, is forwarded byte for byte.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"rivatir.local/engine/command/enginewatch"
)

const (
	baseHost      = "pulumi-language-python-base"
	runPlugin     = "/pulumirpc.LanguageRuntime/RunPlugin"
	maxMessage    = 400 << 20 // the engine's own limit for plugin messages
	analyzerKind  = "analyzer"
	policyModule  = "pulumi.policy"
	virtualenvKey = "virtualenv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
}

// run starts the base host with our arguments, then serves on a port of its own and
// announces it on stdout the way every plugin does.
func run() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	host := exec.Command(filepath.Join(filepath.Dir(self), baseHost), os.Args[1:]...)
	host.Stderr = os.Stderr
	stdout, err := host.StdoutPipe()
	if err != nil {
		return err
	}
	if err = host.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", baseHost, err)
	}
	if engine, ok := enginewatch.EngineAddress(os.Args); ok {
		if err = enginewatch.Start(engine); err != nil {
			return err
		}
	}
	lines := bufio.NewReader(stdout)
	port, err := lines.ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s did not announce its port: %w", baseHost, err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(maxMessage),
			grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := grpc.NewServer(grpc.UnknownServiceHandler(proxy{conn}.handle), grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() { _, _ = io.Copy(os.Stdout, lines) }()
	go func() {
		// The engine stops plugins by killing their process group; if the base host
		// ends first, so do we.
		_ = host.Wait()
		server.Stop()
	}()
	return server.Serve(listener)
}

// frame is one undecoded gRPC message.
type frame struct{ data []byte }

// rawCodec moves messages without decoding them.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).data, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*frame).data = append([]byte(nil), data...)
	return nil
}

type proxy struct{ conn *grpc.ClientConn }

func (p proxy) handle(_ any, server grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(server)
	if method != runPlugin {
		return p.forward(server, method, nil)
	}
	first := new(frame)
	if err := server.RecvMsg(first); err != nil {
		return err
	}
	var req pulumirpc.RunPluginRequest
	if err := proto.Unmarshal(first.data, &req); err != nil {
		return err
	}
	if req.GetKind() == analyzerKind {
		return runPolicyPack(&req, server)
	}
	return p.forward(server, method, first)
}

// forward relays one call of any shape (unary or streaming) to the base host.
func (p proxy) forward(server grpc.ServerStream, method string, first *frame) error {
	ctx, cancel := context.WithCancel(server.Context())
	defer cancel()
	incoming, _ := metadata.FromIncomingContext(ctx)
	outgoing := metadata.MD{}
	for key, values := range incoming {
		if !strings.HasPrefix(key, ":") && key != "content-type" {
			outgoing[key] = values
		}
	}
	client, err := p.conn.NewStream(metadata.NewOutgoingContext(ctx, outgoing),
		&grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	go func() {
		msg := first
		for {
			if msg == nil {
				msg = new(frame)
				if server.RecvMsg(msg) != nil {
					_ = client.CloseSend()
					return
				}
			}
			if client.SendMsg(msg) != nil {
				return
			}
			msg = nil
		}
	}()
	for {
		msg := new(frame)
		if err := client.RecvMsg(msg); err != nil {
			server.SetTrailer(client.Trailer())
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := server.SendMsg(msg); err != nil {
			return err
		}
	}
}

// runPolicyPack runs `python -u -m pulumi.policy ENGINE PACK_DIR` with the pack's
// virtualenv, streaming its output back as newer hosts do.
func runPolicyPack(req *pulumirpc.RunPluginRequest, server grpc.ServerStream) error {
	dir := req.GetInfo().GetProgramDirectory()
	python, env, err := pythonFor(dir, req)
	if err != nil {
		return err
	}
	args := append([]string{"-u", "-m", policyModule}, req.GetArgs()...)
	args = append(args, filepath.Join(dir, req.GetInfo().GetEntryPoint()))
	cmd := exec.CommandContext(server.Context(), python, args...)
	cmd.Dir, cmd.Env = dir, env
	var mu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) error {
		data, err := proto.Marshal(resp)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		return server.SendMsg(&frame{data})
	}
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{
			Exitcode: int32(exit.ExitCode())}})
	}
	if err != nil {
		return fmt.Errorf("running policy pack %s: %w", dir, err)
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: 0}})
}

// pythonFor picks the pack's interpreter: its `virtualenv` option (relative to the pack)
// if set, else PULUMI_PYTHON_CMD, else python3; the same order as the Python host.
func pythonFor(dir string, req *pulumirpc.RunPluginRequest) (string, []string, error) {
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	venv := req.GetInfo().GetOptions().GetFields()[virtualenvKey].GetStringValue()
	if venv == "" {
		if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
			return cmd, env, nil
		}
		return "python3", env, nil
	}
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(dir, venv)
	}
	python := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(python); err != nil {
		return "", nil, fmt.Errorf("the policy pack's virtualenv %q has no bin/python: "+
			"create it and install the pack's requirements.txt into it", venv)
	}
	path := filepath.Join(venv, "bin")
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "PATH="):
			path += string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		case strings.HasPrefix(kv, "PYTHONHOME="), strings.HasPrefix(kv, "VIRTUAL_ENV="):
		default:
			out = append(out, kv)
		}
	}
	return python, append(out, "PATH="+path, "VIRTUAL_ENV="+venv), nil
}

// streamWriter turns each write into one streamed message.
type streamWriter func([]byte) error

func (w streamWriter) Write(b []byte) (int, error) {
	if err := w(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
