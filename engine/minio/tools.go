//go:build tools

// Package tools pins the MinIO server: the TIR emulator's stand-in for E2E
// Object Storage (EOS), a real S3 server that persists buckets on disk.
package tools

import _ "github.com/minio/minio"
