package remote

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/sftp"
)

// sftpClient serves the real filesystem through pkg/sftp's server over in-memory pipes.
func sftpClient(t *testing.T) *sftp.Client {
	t.Helper()
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	server, err := sftp.NewServer(struct {
		io.Reader
		io.WriteCloser
	}{serverR, serverW})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.Serve() }()
	client, err := sftp.NewClientPipe(clientR, clientW, sftp.UseConcurrentWrites(true))
	if err != nil {
		t.Fatal(err)
	}
	// Closing the server side first lets the client's reader see EOF.
	t.Cleanup(func() { _ = server.Close(); _ = client.Close() })
	return client
}

func writeTree(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "tree")
	files := map[string]string{"a.txt": "a", "sub/b.txt": "b", "sub/deeper/c.sh": "#!/bin/sh\n"}
	for name, body := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCopyDirectoryRules(t *testing.T) {
	sc := sftpClient(t)
	src := writeTree(t)
	ctx := context.Background()

	missing := filepath.Join(t.TempDir(), "new")
	if err := copyPath(ctx, sc, src, missing); err != nil {
		t.Fatal(err)
	}
	if readFile(t, filepath.Join(missing, "tree/sub/b.txt")) != "b" {
		t.Error("dir into missing dest should land in dest/tree")
	}
	info, err := os.Stat(filepath.Join(missing, "tree/sub/deeper/c.sh"))
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("mode not kept: %v %v", info, err)
	}

	contents := filepath.Join(t.TempDir(), "contents")
	if err := copyPath(ctx, sc, src+"/", contents); err != nil {
		t.Fatal(err)
	}
	if readFile(t, filepath.Join(contents, "a.txt")) != "a" {
		t.Error("trailing slash should copy the contents")
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := copyPath(ctx, sc, src, file); err == nil {
		t.Error("dir onto an existing file should fail")
	}
}

func TestCopyFileRules(t *testing.T) {
	sc := sftpClient(t)
	src := filepath.Join(writeTree(t), "a.txt")
	ctx := context.Background()

	dir := t.TempDir()
	if err := copyPath(ctx, sc, src, dir); err != nil {
		t.Fatal(err)
	}
	if readFile(t, filepath.Join(dir, "a.txt")) != "a" {
		t.Error("file into existing dir should keep its name")
	}
	target := filepath.Join(dir, "renamed.txt")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyPath(ctx, sc, src, target); err != nil || readFile(t, target) != "a" {
		t.Errorf("existing file not overwritten: %v", err)
	}
	if err := writeText(sc, "text body", filepath.Join(dir, "t.txt")); err != nil || readFile(t, filepath.Join(dir, "t.txt")) != "text body" {
		t.Errorf("text asset: %v", err)
	}
	if err := writeText(sc, "x", dir); err == nil {
		t.Error("text asset onto a directory should fail")
	}
}
