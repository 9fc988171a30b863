// Package provider assembles the `command` provider from the local and remote resources.
package provider

import (
	"context"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"rivatir.local/engine/command/local"
	"rivatir.local/engine/command/remote"
)

// Name is the package name the SDK's pulumi-plugin.json asks for.
const Name = "command"

// New builds the provider. Diff is replaced for our resources by diffInputs,
// which compares old and new inputs exactly and forces replacement only for
// connection and triggers.
func New() (p.Provider, error) {
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("Command").
		WithDescription("Run commands locally or over SSH, and copy files over SFTP (pulumi-command compatible).").
		WithResources(
			infer.Resource(&local.Command{}),
			infer.Resource(&remote.Command{}),
		).
		Build()
	if err != nil {
		return p.Provider{}, err
	}
	inferDiff := prov.Diff
	prov.Diff = func(ctx context.Context, req p.DiffRequest) (p.DiffResponse, error) {
		if keys, ok := replaceKeys[string(req.Urn.Type())]; ok {
			return diffInputs(oldInputsOf(req), req.Inputs, keys), nil
		}
		return inferDiff(ctx, req)
	}
	return prov, nil
}
