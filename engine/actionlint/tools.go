//go:build tools

// Package tools pins actionlint, the GitHub Actions workflow linter the test suite runs
// on .github/workflows (tests/team/test_workflows.py). Its PyPI wrapper downloads the
// binary from GitHub at install time, which is not reachable here; the Go module is.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
