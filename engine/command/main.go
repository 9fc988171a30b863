// Command pulumi-resource-command is a pulumi-command 1.2.1 compatible
// resource plugin built from Go modules this project can fetch.
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"

	"rivatir.local/engine/command/enginewatch"
	"rivatir.local/engine/command/provider"
)

// Version is stamped at build time with -ldflags "-X main.Version=1.2.1";
// the engine only loads the plugin whose version matches the SDK's request.
var Version = "0.0.0-dev"

func main() {
	prov, err := provider.New()
	if engine, ok := enginewatch.EngineAddress(os.Args); ok && err == nil {
		err = enginewatch.Start(engine)
	}
	if err == nil {
		err = p.RunProvider(context.Background(), provider.Name, Version, prov)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
