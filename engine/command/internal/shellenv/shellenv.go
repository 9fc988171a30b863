// Package shellenv hands environment variables to a remote POSIX shell over
// standard input, so they never appear on a command line.
//
// The SSH "env" request is not used: sshd silently drops variables that its
// AcceptEnv setting does not list (the default lists almost none). An
// `export K=v` prefix of the command line would work but puts every value in
// the process list of the remote host (`ps` shows `bash -c export K='secret'`).
// Instead the command line starts with a fixed prologue that reads exactly
// the exports' length from stdin and evaluates them; the command's own stdin
// follows on the same stream.
package shellenv

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// MaxCommandBytes bounds the remote command line. sshd hands the line to the
// login shell as one argv element and Linux refuses single arguments over
// 128 KiB (MAX_ARG_STRLEN), so we fail early with a clear message instead.
const MaxCommandBytes = 120 * 1024

var namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Quote wraps s in single quotes so that any POSIX shell reads it literally.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Exports returns "export K1='v1'; export K2='v2'; " with keys sorted, so the
// same environment always yields the same text.
func Exports(env map[string]string) (string, error) {
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

// Wrap returns the command line to run and the bytes to send before the
// command's own stdin. With no environment the line is cmd itself.
func Wrap(env map[string]string, cmd string) (line string, stdinPrefix string, err error) {
	exports, err := Exports(env)
	if err != nil {
		return "", "", err
	}
	line = cmd
	if exports != "" {
		// `head -c N` reads exactly N bytes from a pipe (no read-ahead), so
		// the rest of stdin stays for the command.
		line = fmt.Sprintf(`eval "$(head -c %d)"; %s`, len(exports), cmd)
	}
	if len(line) > MaxCommandBytes {
		return "", "", fmt.Errorf("remote command is %d bytes, over the %d byte limit of one SSH exec line; "+
			"move data into the environment or stdin", len(line), MaxCommandBytes)
	}
	return line, exports, nil
}
