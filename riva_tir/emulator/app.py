"""`create_app(state, clock, faults)`: the Flask app serving TIR's REST API, the data-plane proxy
and the `/_emulator/` control API, wrapped in the fault/request-log middleware.
"""

from __future__ import annotations

import hmac
from typing import Any

import requests
from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from riva_tir.emulator import assumptions
from riva_tir.emulator.catalog.routes import bp as catalog_bp
from riva_tir.emulator.control import FAULTS_KEY
from riva_tir.emulator.control import bp as control_bp
from riva_tir.emulator.dashboard.routes import bp as dashboard_bp
from riva_tir.emulator.endpoints.routes import bp as endpoints_bp
from riva_tir.emulator.envelope import ApiError, NotFound, Unauthorized, envelope, error_response
from riva_tir.emulator.faults import FaultPlan
from riva_tir.emulator.lifecycle import Clock
from riva_tir.emulator.middleware import HttpMiddleware
from riva_tir.emulator.model_repositories.routes import bp as repositories_bp
from riva_tir.emulator.nodes.routes import bp as nodes_bp
from riva_tir.emulator.registry.routes import bp as registry_bp
from riva_tir.emulator.ssh_keys.routes import bp as ssh_keys_bp
from riva_tir.emulator.state import EmulatorState
from riva_tir.emulator.wire import STATE_KEY, state

ROOT = assumptions.API_ROOT
PROJECT_SCOPED = (nodes_bp, repositories_bp, endpoints_bp, dashboard_bp, registry_bp)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length", "content-encoding", "authorization"}
PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
PROXY_TIMEOUT_SECONDS = 120

proxy_bp = Blueprint("dataplane_proxy", __name__)


def _bearer_ok(expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), expected.encode())


def _check_api_auth() -> None:
    """Both secrets on every API call: `apikey` query parameter and the bearer token."""
    if not request.path.startswith(ROOT):
        return
    credentials = state().credentials
    apikey = request.args.get("apikey", "")
    if not (hmac.compare_digest(apikey.encode(), credentials.api_key.encode()) and _bearer_ok(credentials.auth_token)):
        raise Unauthorized()


def _pull_project(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Legacy paths carry team and project; any team id is accepted (one emulated account)."""
    if values is not None:
        values.pop("team_id", None)
        g.path_project_id = values.pop("project_id", None)


@proxy_bp.route("/project/p-<int:proj>/endpoint/is-<int:ep>/", defaults={"rest": ""}, methods=PROXY_METHODS)
@proxy_bp.route("/project/p-<int:proj>/endpoint/is-<int:ep>/<path:rest>", methods=PROXY_METHODS)
def dataplane(proj: int, ep: int, rest: str) -> Response:
    """Inference URL: bearer auth, 503 unless the endpoint serves, then forward to its container."""
    emu = state()
    if not _bearer_ok(emu.credentials.auth_token):
        raise Unauthorized()
    endpoint = emu.endpoints.get(None, ep)
    if endpoint.project_id != proj:
        raise NotFound("inference service", ep)
    port = emu.endpoints.serving_port(ep, "http")
    if port is None:
        why = ("nothing in its container listens on the port TIR forwards to" if endpoint.status == "running"
               else f"it is {endpoint.status}, not running")
        return envelope(503, None, f"endpoint is-{ep} does not serve: {why}", {"status": endpoint.status})
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    try:
        upstream = requests.request(
            request.method, f"http://127.0.0.1:{port}/{rest}", params=list(request.args.items(multi=True)),
            data=request.get_data(), headers=headers, timeout=PROXY_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        return envelope(502, None, f"endpoint is-{ep} did not answer: {type(exc).__name__}", {})
    out_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
    return Response(upstream.content, status=upstream.status_code, headers=out_headers)


def _handle_api_error(exc: ApiError) -> Response:
    return error_response(exc)


def _handle_http_error(exc: HTTPException) -> BaseResponse:
    status = exc.code or 500
    if 300 <= status < 400:  # trailing-slash redirects keep their Location header
        return exc.get_response()
    return envelope(status, None, exc.name, {"path": exc.description or exc.name})


def _handle_unexpected(exc: Exception) -> Response:
    # The type only: an exception text could carry request data.
    return envelope(500, None, "Internal Server Error", {"server": type(exc).__name__})


def create_app(state: EmulatorState, clock: Clock, faults: FaultPlan) -> Flask:
    """One app per emulator instance; no module-level state."""
    app = Flask("riva_tir.emulator")
    app.extensions[STATE_KEY] = state
    app.extensions[FAULTS_KEY] = faults
    app.url_value_preprocessor(_pull_project)
    app.before_request(_check_api_auth)
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)
    for bp in PROJECT_SCOPED:
        app.register_blueprint(bp, url_prefix=ROOT)
        app.register_blueprint(bp, url_prefix=f"{ROOT}teams/<int:team_id>/projects/<int:project_id>/",
                               name=f"{bp.name}_team")
    app.register_blueprint(catalog_bp, url_prefix=ROOT)
    app.register_blueprint(ssh_keys_bp, url_prefix=ROOT)
    app.register_blueprint(proxy_bp)
    app.register_blueprint(control_bp, url_prefix="/_emulator")
    app.wsgi_app = HttpMiddleware(app.wsgi_app, faults, state.requests, clock)  # type: ignore[method-assign]
    return app
