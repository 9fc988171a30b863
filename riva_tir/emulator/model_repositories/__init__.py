"""Model repositories backed by real local S3 buckets."""
