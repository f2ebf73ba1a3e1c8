"""Security headers Django does not set by itself."""

from __future__ import annotations

from regard.web.live import stream_origin

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", policy(request))
        return response


def policy(request) -> str:
    """CSP, with the stream process's origin when the agents' stream is served there."""
    origin = stream_origin(request)
    return CSP.replace("connect-src 'self'", f"connect-src 'self' {origin}") if origin else CSP
