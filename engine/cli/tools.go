//go:build tools

// Package tools pins the Pulumi CLI main package so `go build` can resolve it
// through this wrapper module (pkg/v3's own go.mod has replace directives, so
// `go install ...@version` refuses it).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
