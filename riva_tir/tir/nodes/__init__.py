"""Nodes: models and request specs. The client is `tir.nodes.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.nodes.models import ImageDetails, Node, NodeSshKey, NodeStatus, SshAccess
from riva_tir.tir.nodes.specs import NodePlanChange, NodeSpec

__all__ = ["ImageDetails", "Node", "NodePlanChange", "NodeSpec", "NodeSshKey", "NodeStatus", "SshAccess"]
