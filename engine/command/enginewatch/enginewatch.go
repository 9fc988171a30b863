// Package enginewatch ends a plugin when the engine that started it is gone.
//
// The engine starts each plugin in a process group of its own, so a `pulumi up` killed
// with its process group (a cancelled CI job) does not reach its plugins, and the SDK's
// own health check waits five minutes: meanwhile a plugin would go on with the killed
// run's work while the user recovers and runs `up` again (README "After an interrupted
// run"). Shared by the command plugin and the language host (engine/pyhost).
package enginewatch

import (
	"context"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// Every is how often the engine is asked whether it is still there.
const Every = time.Second

// Start checks the engine at addr every second and, once it stops answering, kills this
// process group (the plugin and whatever it started).
func Start(addr string) error {
	ctx, gone := context.WithCancel(context.Background())
	if err := rpcutil.Healthcheck(ctx, addr, Every, gone); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		// No last word: stderr went to the engine, and a write to it would end this
		// process (SIGPIPE) before its group.
		_ = syscall.Kill(-syscall.Getpgrp(), syscall.SIGKILL)
	}()
	return nil
}

// EngineAddress is the engine's address among a plugin's arguments: the last one.
func EngineAddress(args []string) (string, bool) {
	if len(args) < 2 {
		return "", false
	}
	return args[len(args)-1], true
}
