// Package shellenv renders environment variables as a POSIX shell prefix.
//
// Remote commands get their environment this way instead of through the SSH
// "env" request, because sshd silently drops variables that its AcceptEnv
// setting does not list (and the default sshd_config lists almost none).
package shellenv

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// MaxCommandBytes bounds the full remote command line. sshd hands the line to
// the login shell as one argv element and Linux refuses single arguments over
// 128 KiB (MAX_ARG_STRLEN), so we fail early with a clear message instead.
const MaxCommandBytes = 120 * 1024

var namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Quote wraps s in single quotes so that any POSIX shell reads it literally.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ExportPrefix returns "export K1='v1'; export K2='v2'; " with keys sorted,
// so the same environment always yields the same command text.
func ExportPrefix(env map[string]string) (string, error) {
	keys := make([]string, 0, len(env))
	for k := range env {
		if !namePattern.MatchString(k) {
			return "", fmt.Errorf("environment variable name %q is not a valid shell identifier", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("export ")
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(Quote(env[k]))
		b.WriteString("; ")
	}
	return b.String(), nil
}

// Wrap prefixes cmd with the exports for env and checks the line length.
func Wrap(env map[string]string, cmd string) (string, error) {
	prefix, err := ExportPrefix(env)
	if err != nil {
		return "", err
	}
	line := prefix + cmd
	if len(line) > MaxCommandBytes {
		return "", fmt.Errorf("remote command with its environment is %d bytes, over the %d byte limit of "+
			"one SSH exec line; shorten the environment or set addPreviousOutputInEnv to false",
			len(line), MaxCommandBytes)
	}
	return line, nil
}
