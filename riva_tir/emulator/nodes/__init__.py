"""Nodes (TIR notebooks): real SSH hosts once running."""
