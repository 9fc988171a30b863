// Package outstream captures a command's stdout and stderr while forwarding
// whole lines to the Pulumi log, so long commands show progress during `up`.
package outstream

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Logging modes, as spelled by the SDK's Logging enum.
const (
	LogStdout          = "stdout"
	LogStderr          = "stderr"
	LogStdoutAndStderr = "stdoutAndStderr"
	LogNone            = "none"
)

// ValidateMode rejects modes the SDK would not send; an empty mode means the default (both).
func ValidateMode(mode string) error {
	switch mode {
	case "", LogStdout, LogStderr, LogStdoutAndStderr, LogNone:
		return nil
	}
	return fmt.Errorf("logging must be one of stdout, stderr, stdoutAndStderr, none; got %q", mode)
}

// Capture collects both streams and their interleaving; it is safe for the
// concurrent writes that os/exec and x/crypto/ssh make from two goroutines.
type Capture struct {
	mu       sync.Mutex
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	combined bytes.Buffer
	out      lineForwarder
	err      lineForwarder
}

type lineForwarder struct {
	enabled bool
	log     func(string)
	pending []byte
}

// New returns a Capture that forwards lines of the streams selected by mode to log.
func New(mode string, log func(line string)) *Capture {
	return &Capture{
		out: lineForwarder{enabled: mode == "" || mode == LogStdout || mode == LogStdoutAndStderr, log: log},
		err: lineForwarder{enabled: mode == "" || mode == LogStderr || mode == LogStdoutAndStderr, log: log},
	}
}

// Stdout is the writer to attach to the process's standard output.
func (c *Capture) Stdout() io.Writer { return streamWriter{c: c, buf: &c.stdout, fwd: &c.out} }

// Stderr is the writer to attach to the process's standard error.
func (c *Capture) Stderr() io.Writer { return streamWriter{c: c, buf: &c.stderr, fwd: &c.err} }

type streamWriter struct {
	c   *Capture
	buf *bytes.Buffer
	fwd *lineForwarder
}

func (w streamWriter) Write(b []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.buf.Write(b)
	w.c.combined.Write(b)
	w.fwd.feed(b)
	return len(b), nil
}

func (f *lineForwarder) feed(b []byte) {
	if !f.enabled {
		return
	}
	f.pending = append(f.pending, b...)
	for {
		i := bytes.IndexByte(f.pending, '\n')
		if i < 0 {
			return
		}
		f.log(strings.TrimSuffix(string(f.pending[:i]), "\r"))
		f.pending = f.pending[i+1:]
	}
}

func (f *lineForwarder) flush() {
	if f.enabled && len(f.pending) > 0 {
		f.log(string(f.pending))
		f.pending = nil
	}
}

// Finish forwards any unterminated last lines and returns the captured output,
// each stream without one trailing newline (as pulumi-command reports it).
func (c *Capture) Finish() (stdout, stderr, combined string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.flush()
	c.err.flush()
	return strings.TrimSuffix(c.stdout.String(), "\n"),
		strings.TrimSuffix(c.stderr.String(), "\n"),
		c.combined.String()
}

// Failure wraps a failed run with its combined output. When logging is
// "none" the user has signalled the output may hold secrets, so the output
// is withheld from the error as well.
func Failure(err error, mode, combined string) error {
	if mode == LogNone {
		return fmt.Errorf("command failed: %w (output withheld because logging is none)", err)
	}
	return fmt.Errorf("command failed: %w; output:\n%s", err, combined)
}
