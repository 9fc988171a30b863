"""SKUs, images and serving frameworks (read-only)."""
