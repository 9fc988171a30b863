"""Dynamic providers, one module per TIR resource kind, over the typed `tir` client."""
