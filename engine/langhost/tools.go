//go:build tools

// Package tools pins the Python language host. Since sdk v3.80 the host lives in
// its own nested module (sdk/python/cmd/pulumi-language-python/v3), which the Go
// module proxy here does not serve at any version; v3.79.0 is the newest sdk/v3
// release that still carries it inside the served sdk/v3 module.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
