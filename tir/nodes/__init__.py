from tir.nodes.client import NodesClient
from tir.nodes.models import ImageDetails, Node, NodeSshKey, NodeStatus, SshAccess
from tir.nodes.specs import NodePlanChange, NodeSpec

__all__ = ["ImageDetails", "Node", "NodePlanChange", "NodeSpec", "NodeSshKey", "NodeStatus", "NodesClient", "SshAccess"]
