package remote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
	"golang.org/x/sync/errgroup"
)

// parallelFiles bounds how many files of a directory are uploaded at once.
const parallelFiles = 4

// copyPath follows pulumi-command's rules:
//
//	source | dest is a dir      | dest missing | dest is a file
//	dir    | dest/dir           | dest/dir     | error
//	dir/   | dest/<each entry>  | dest         | error
//	file   | dest/file          | dest         | dest (overwritten)
func copyPath(ctx context.Context, sc *sftp.Client, src, dest string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	destInfo, err := remoteStat(sc, dest)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if destInfo != nil && destInfo.IsDir() {
			dest = path.Join(dest, filepath.Base(src))
		}
		return uploadFile(sc, src, dest)
	}
	if destInfo != nil && !destInfo.IsDir() {
		return fmt.Errorf("remote path %s exists but is not a directory", dest)
	}
	if destInfo == nil {
		if err := sc.Mkdir(dest); err != nil {
			return fmt.Errorf("creating remote directory %s: %w", dest, err)
		}
	}
	if !strings.HasSuffix(src, "/") {
		dest = path.Join(dest, filepath.Base(src))
	}
	return uploadDir(ctx, sc, src, dest)
}

// uploadDir creates the directory tree in walk order, then uploads the
// files a few at a time over the shared SFTP session.
func uploadDir(ctx context.Context, sc *sftp.Client, src, dest string) error {
	group, gctx := errgroup.WithContext(ctx)
	group.SetLimit(parallelFiles)
	walkErr := filepath.WalkDir(src, func(local string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if gctx.Err() != nil {
			return gctx.Err()
		}
		rel, err := filepath.Rel(src, local)
		if err != nil {
			return err
		}
		remote := path.Join(dest, filepath.ToSlash(rel))
		if d.IsDir() {
			return ensureRemoteDir(sc, remote)
		}
		group.Go(func() error { return uploadFile(sc, local, remote) })
		return nil
	})
	return errors.Join(walkErr, group.Wait())
}

func ensureRemoteDir(sc *sftp.Client, dir string) error {
	info, err := remoteStat(sc, dir)
	switch {
	case err != nil:
		return err
	case info == nil:
		if err := sc.Mkdir(dir); err != nil {
			return fmt.Errorf("creating remote directory %s: %w", dir, err)
		}
	case !info.IsDir():
		return fmt.Errorf("remote path %s exists but is not a directory", dir)
	}
	return nil
}

// uploadFile streams one file and carries its permission bits over, so
// copied scripts stay executable.
func uploadFile(sc *sftp.Client, src, dest string) error {
	local, err := os.Open(src)
	if err != nil {
		return err
	}
	defer local.Close()
	info, err := local.Stat()
	if err != nil {
		return err
	}
	remote, err := sc.Create(dest)
	if err != nil {
		return fmt.Errorf("creating remote file %s: %w", dest, err)
	}
	if _, err := remote.ReadFrom(local); err != nil {
		return errors.Join(fmt.Errorf("copying %s to %s: %w", src, dest, err), remote.Close())
	}
	if err := remote.Chmod(info.Mode().Perm()); err != nil {
		return errors.Join(fmt.Errorf("setting mode of %s: %w", dest, err), remote.Close())
	}
	return remote.Close()
}

func writeText(sc *sftp.Client, text, dest string) error {
	if info, err := remoteStat(sc, dest); err != nil {
		return err
	} else if info != nil && info.IsDir() {
		return fmt.Errorf("remote path %s is a directory; a text asset needs a file path", dest)
	}
	remote, err := sc.Create(dest)
	if err != nil {
		return fmt.Errorf("creating remote file %s: %w", dest, err)
	}
	if _, err := remote.Write([]byte(text)); err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", dest, err), remote.Close())
	}
	return remote.Close()
}

// remoteStat returns nil info and nil error when the path does not exist.
func remoteStat(sc *sftp.Client, p string) (fs.FileInfo, error) {
	info, err := sc.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stat remote path %s: %w", p, err)
	}
	return info, nil
}
