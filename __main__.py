"""riva-tir program: read the stack config, build the deployment, export its addresses."""
import pulumi

pulumi.export("stack", pulumi.get_stack())
