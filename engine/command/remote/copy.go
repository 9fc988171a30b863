package remote

import (
	"context"

	"github.com/pkg/sftp"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"

	"rivatir.local/engine/command/internal/lifecycle"
)

// CopyToRemote copies a local file or directory to a remote host over SFTP.
// It has no delete: copied files stay on the host, as in pulumi-command.
type CopyToRemote struct{}

// CopyToRemoteInputs mirrors the SDK's CopyToRemoteArgs wire names.
type CopyToRemoteInputs struct {
	Connection *Connection          `pulumi:"connection"        provider:"secret,replaceOnChanges"`
	Triggers   *[]any               `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Source     types.AssetOrArchive `pulumi:"source"`
	RemotePath string               `pulumi:"remotePath"`
}

// CopyToRemoteOutputs only echoes the inputs.
type CopyToRemoteOutputs struct {
	CopyToRemoteInputs
}

var (
	_ infer.CustomResource[CopyToRemoteInputs, CopyToRemoteOutputs] = (*CopyToRemote)(nil)
	_ infer.CustomUpdate[CopyToRemoteInputs, CopyToRemoteOutputs]   = (*CopyToRemote)(nil)
	_ infer.CustomCheck[CopyToRemoteInputs]                         = (*CopyToRemote)(nil)
)

func (c *CopyToRemote) Annotate(a infer.Annotator) {
	a.SetToken("remote", "CopyToRemote")
	a.Describe(&c, "Copy a local file or directory to a remote host using SFTP.")
}

func (c *CopyToRemoteInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "The parameters with which to connect to the remote host.")
	a.Describe(&c.Triggers, "Trigger replacements on changes to this input.")
	a.Describe(&c.Source, "A FileAsset, FileArchive (file or directory) or text asset to copy. Archives are copied as-is, not unpacked.")
	a.Describe(&c.RemotePath, "The destination path on the remote host; its last element is created if missing.")
}

// Check accepts exactly one path-based asset/archive or a text asset.
func (*CopyToRemote) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CopyToRemoteInputs], error) {
	inputs, failures, err := infer.DefaultCheck[CopyToRemoteInputs](ctx, req.NewInputs)
	if err != nil {
		return infer.CheckResponse[CopyToRemoteInputs]{Inputs: inputs, Failures: failures}, err
	}
	if reason := sourceProblem(inputs.Source); reason != "" {
		failures = append(failures, p.CheckFailure{Property: "source", Reason: reason})
	}
	return infer.CheckResponse[CopyToRemoteInputs]{Inputs: inputs, Failures: failures}, nil
}

func sourceProblem(s types.AssetOrArchive) string {
	switch {
	case s.Asset != nil && s.Archive != nil:
		return "only one of asset or archive can be set"
	case s.Asset == nil && s.Archive == nil:
		return "source must be a FileAsset, FileArchive or text asset"
	case s.Asset != nil && !s.Asset.IsPath() && !s.Asset.IsText():
		return "asset must be a path-based FileAsset or a text asset"
	case s.Archive != nil && !s.Archive.IsPath():
		return "archive must be a FileArchive of a local file or directory"
	}
	return ""
}

func (*CopyToRemote) Create(ctx context.Context, req infer.CreateRequest[CopyToRemoteInputs]) (infer.CreateResponse[CopyToRemoteOutputs], error) {
	state := CopyToRemoteOutputs{req.Inputs}
	id, err := lifecycle.NewID(req.Name)
	if err != nil || req.DryRun {
		return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: state}, err
	}
	return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: state}, copyToRemote(ctx, req.Inputs)
}

// Update re-copies only when the content hash or the destination changed.
func (*CopyToRemote) Update(ctx context.Context, req infer.UpdateRequest[CopyToRemoteInputs, CopyToRemoteOutputs]) (infer.UpdateResponse[CopyToRemoteOutputs], error) {
	state := CopyToRemoteOutputs{req.Inputs}
	if req.DryRun || !needsCopy(req.State.CopyToRemoteInputs, req.Inputs) {
		return infer.UpdateResponse[CopyToRemoteOutputs]{Output: state}, nil
	}
	return infer.UpdateResponse[CopyToRemoteOutputs]{Output: state}, copyToRemote(ctx, req.Inputs)
}

func needsCopy(olds, news CopyToRemoteInputs) bool {
	oldHash, newHash := sourceHash(olds.Source), sourceHash(news.Source)
	return oldHash == "" || oldHash != newHash || olds.RemotePath != news.RemotePath
}

func sourceHash(s types.AssetOrArchive) string {
	switch {
	case s.Archive != nil:
		if s.Archive.EnsureHash() == nil {
			return s.Archive.Hash
		}
	case s.Asset != nil:
		if s.Asset.EnsureHash() == nil {
			return s.Asset.Hash
		}
	}
	return ""
}

// copyToRemote dials, opens an SFTP client with concurrent writes and copies the source.
func copyToRemote(ctx context.Context, in CopyToRemoteInputs) error {
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	// Concurrent writes are safe here: each file gets exactly one ReadFrom.
	sc, err := sftp.NewClient(client.Client, sftp.UseConcurrentWrites(true))
	if err != nil {
		return err
	}
	defer sc.Close()
	if in.Source.Asset != nil && in.Source.Asset.IsText() {
		return writeText(sc, in.Source.Asset.Text, in.RemotePath)
	}
	path := ""
	if in.Source.Asset != nil {
		path = in.Source.Asset.Path
	} else {
		path = in.Source.Archive.Path
	}
	p.GetLogger(ctx).Debugf("copying %s to %s", path, in.RemotePath)
	return copyPath(ctx, sc, path, in.RemotePath)
}
