"""Pulumi components and dynamic resources that deploy Riva on TIR."""
