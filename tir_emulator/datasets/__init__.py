"""Datasets backed by real local S3 buckets (or a PVC record)."""
