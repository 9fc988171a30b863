"""Every emulator decision that no TIR source settles, in one place.

Each constant carries an ``# ASSUMPTION:`` comment with the reason, so a live-API finding can be
applied by changing one line here (see docs/emulator.md, "Assumptions").
"""

from __future__ import annotations

import re
from typing import Final

API_ROOT: Final = "/myaccount/api/v1/gpu/"

# ASSUMPTION: no source gives the failed-auth body; the SDK's own wording is the best guess.
AUTH_FAILED_MESSAGE: Final = "Validation Failed, Invalid APIkey or Token"

# ASSUMPTION: `location` is required by the new docs but the SDK always sends it; a missing value
# means the default region rather than an error, so older clients keep working.
DEFAULT_LOCATION: Final = "Delhi"
# ASSUMPTION: regions named anywhere in the sources (SDK constants, third-party code).
LOCATIONS: Final = ("Delhi", "Chennai", "Mumbai")

# ASSUMPTION: the rate-limit window is unknown; the sample headers show a limit of 1200, we use a
# 60 s fixed window and never enforce it (429 only comes from a fault plan).
RATE_LIMIT: Final = 1200
RATE_WINDOW_SECONDS: Final = 60

# ASSUMPTION: a capacity shortage is a business error, reported like validation (400) with the
# documented message under the `sku` field.
CAPACITY_STATUS: Final = 400
CAPACITY_MESSAGE: Final = "SKU Inventory temporarily unavailable. Please try again"

# ASSUMPTION: node statuses are lowercase (TF compares "stopped"); transitional names are ours.
NODE_CREATING: Final = "creating"
NODE_RUNNING: Final = "running"
NODE_STOPPING: Final = "stopping"
NODE_STOPPED: Final = "stopped"
NODE_STARTING: Final = "starting"
NODE_FAILED: Final = "failed"

# ASSUMPTION: endpoint wire statuses are the lowercased UI labels (Deploying, Running, Waiting,
# Idle, Terminating, Stopped) plus `failed`; clients should compare case-insensitively anyway.
EP_DEPLOYING: Final = "deploying"
EP_RUNNING: Final = "running"
EP_WAITING: Final = "waiting"
EP_IDLE: Final = "idle"
EP_TERMINATING: Final = "terminating"
EP_STOPPED: Final = "stopped"
EP_FAILED: Final = "failed"

# ASSUMPTION: an idle endpoint (min replicas 0) scales up on the first request, so the data plane
# serves it like a running one.
EP_SERVING: Final = (EP_RUNNING, EP_IDLE)

# ASSUMPTION: the failure reason field name is unknown; this emulator-only field carries it on
# nodes and endpoints in the `failed` state.
FAILURE_REASON_FIELD: Final = "failure_reason"

# ASSUMPTION: the repository status strings are unknown; "Done" appears in a doc sample.
REPOSITORY_READY: Final = "Done"

# ASSUMPTION: a managed bucket belongs to the platform, so deleting its repository deletes the
# bucket (and the leak check sees nothing left behind).
DELETE_MANAGED_BUCKET: Final = True

# ASSUMPTION: `ssh_keys_to_add` items are the public key strings (like `public_key` at create);
# integer items are accepted as account SSH key ids.
SSH_KEY_ITEMS_MAY_BE_IDS: Final = True

# ASSUMPTION: a restart (and a `patch` while running) redeploys: the endpoint shows `deploying`
# again until the data plane is ready.
REDEPLOY_ON_PATCH: Final = True

# ASSUMPTION: `update` (TF, full config) is only allowed while stopped; `patch` works while
# running or stopped.
UPDATE_REQUIRES_STOPPED: Final = True

# ASSUMPTION: free SKUs are listed for nodes only (`free_usage` is a node `instance_type`,
# docs/tir.md §5.1). The SDK's endpoint helper `plan_to_sku_id` does not skip `is_free`
# (`cloud/tir/helpers.py:27-36`), so a free SKU listed for endpoints could hand it a free plan.
FREE_SKUS_FOR_NODES_ONLY: Final = True

# ASSUMPTION: a node create must carry every field the SDK always sends (docs/tir.md §5.1,
# `cloud/tir/notebooks/notebook.py:97-109`); TIR's real rule is UNKNOWN, so the emulator is strict
# and answers 400 naming the first missing field (`auto_shutdown_timeout` may be null).
NODE_CREATE_REQUIRED_FIELDS: Final = ("notebook_type", "notebook_url", "auto_shutdown_timeout", "instance_type",
                                      "is_jupyterlab_enabled", "dataset_id_list", "public_key")

# ASSUMPTION: `dashboard/service-count/` (the SDK's access check) has no documented body; the SDK
# reads only its status. The emulator answers per-kind counts of the project under these keys.
SERVICE_COUNT_KEYS: Final = {"notebooks": "notebook", "model_repositories": "model_repository",
                             "inference_services": "inference_service"}

# ASSUMPTION: the logs endpoint returns `data` as an array of text lines, oldest first.
LOG_LINES_LIMIT: Final = 500

# ASSUMPTION: lists return everything unless `per_page` is given; `page_no` counts from 1.
DEFAULT_PAGE_NO: Final = 1

# ASSUMPTION: the JupyterLab URL shape is unknown and the emulator does not serve JupyterLab.
LAB_URL_TEMPLATE: Final = "{base}/notebook/p-{project_id}/n-{node_id}/lab"

# ASSUMPTION: managed bucket names; TIR's naming scheme is unknown.
MANAGED_BUCKET_TEMPLATE: Final = "{prefix}-{resource_id}-{slug}"

# Inside TIR a container reaches another endpoint by the in-cluster name `is-<endpoint id>:<port>`
# (docs/tir.md §8.9); the emulator maps that name to the loopback port behind the container port.

# Container ports (docs/tir.md §8.5): TIR starts a Triton-framework container with HTTP on 8080
# and gRPC on 9000.
TRITON_HTTP_PORT: Final = 8080
TRITON_GRPC_PORT: Final = 9000
# What a Triton-framework container runs when the endpoint gives no command or arguments
# (docs/riva.md §7, from tir-api evidence).
TRITON_FRAMEWORK_COMMAND: Final = ("tritonserver", "--model-store=/mnt/models", "--grpc-port=9000",
                                   "--http-port=8080", "--metrics-port=8082")
# ASSUMPTION: TIR routes a custom container's HTTP root to port 8080 and, only with the "HTTP
# Port" box ticked (`custom_endpoint_details.service_port: true`), its gRPC ingress too: the
# guide runs riva_server on 8080 with that box ticked (docs/tir.md §8.2, §8.5).
CUSTOM_CONTAINER_PORT: Final = 8080
# riva_server's gRPC port when `--riva-uri` does not say (its documented default).
RIVA_DEFAULT_PORT: Final = 50051
# ASSUMPTION: a riva_server `--asr_service` / `--nlp_service` / `--tts_service` flag left out
# is on (the real defaults are UNKNOWN; the quick start turns all three on, docs/riva.md §8).
RIVA_SERVICE_DEFAULT: Final = True

# ASSUMPTION: a redeploy of a serving endpoint (restart, patch) is a rolling update: the old
# container serves until the new one is ready, as Kubernetes does with one replica.
ROLLING_REDEPLOY: Final = True
# ASSUMPTION: the replaced container drains: it takes no new calls but finishes those in
# flight before it stops, as Kubernetes' graceful termination lets a server do (30 s by
# default); the emulator gives it this long.
DRAIN_SECONDS: Final = 5.0

# ASSUMPTION: images whose name contains `riva-speech` (any registry, any copy) carry Riva's
# Triton backends; every other Triton runtime (TIR's stock `aimle2e/tritonserver`) lacks them
# (docs/riva.md §6).
RIVA_IMAGE = re.compile(r"riva-speech")

# E2E's container registry: private images are `registry.e2enetworks.net/<namespace>/…` with
# `private_image_details.registry_namespace_id` (docs/tir.md §8.2).
E2E_REGISTRY: Final = "registry.e2enetworks.net/"
# ASSUMPTION: TIR pulls a public image anonymously, and nvcr.io refuses an anonymous pull of
# riva-speech (NVIDIA's own scripts log in first, docs/tir.md §8.2); the endpoint then fails.
ANONYMOUS_PULL_REFUSED = re.compile(r"^nvcr\.io/")

# ASSUMPTION: an autoscaling policy created without `initial_cooldown_period` reports one, as
# the SDK reads it back (docs/tir.md §11); its default and its type (a string, like
# `stability_period`) are unknown.
INITIAL_COOLDOWN_SECONDS: Final = "300"

# The gRPC ingress (docs/tir.md §8.9): one TLS port, routing metadata on every call.
INGRESS_TOKEN_HEADER: Final = "x-auth-token"
INGRESS_SERVICE_HEADER: Final = "svc"
INGRESS_PROJECT_HEADER: Final = "e2e-project"
# ASSUMPTION: `e2e-project` carries the project number or `p-<number>` (the sources do not
# settle which); the ingress takes both unless the alternative `project_header`
# (riva_tir/emulator/alternatives.py) makes it take only one.
INGRESS_PROJECT_VALUE = {"either": re.compile(r"^(?:p-)?(\d+)$"), "number": re.compile(r"^(\d+)$"),
                         "p-number": re.compile(r"^p-(\d+)$")}
