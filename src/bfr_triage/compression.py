"""Compress responses for clients that accept it, with Flask-Compress.

docs/deployment.md says why compressing these pages is safe (no response holds a secret beside
input an attacker chooses: BREACH needs both).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

# Flask-Compress's list cut to what this app serves, with its JSON types.
TYPES = (
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/json", "application/problem+json", "application/fhir+json", "image/svg+xml",
)  # fmt: skip
ALGORITHMS = ("zstd", "br", "gzip")  # in the server's order of preference; no raw deflate


def init_app(app: Flask) -> None:
    """Compress with zstd, brotli or gzip, whichever the client's Accept-Encoding prefers."""
    app.config.setdefault("COMPRESS_MIMETYPES", list(TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", list(ALGORITHMS))
    app.config["COMPRESS_REGISTER"] = False  # called below, after three checks of its own
    compress = Compress(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        # A 206 answers a Range of the uncompressed bytes: compressing that part would corrupt
        # it. "gzip;q=0" means "not gzip", which Flask-Compress 1.25 reads as gzip. The header
        # is looked at first: most API clients (and benchmarks) send none, and parsing costs.
        accepted = request.environ.get("HTTP_ACCEPT_ENCODING") and any(
            request.accept_encodings.quality(a) for a in ALGORITHMS
        )
        if not accepted or response.status_code == 206:
            vary = response.headers.get("Vary")  # the other variant may be compressed
            response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
            return response
        if response.direct_passthrough and response.mimetype in TYPES:
            # A static file (all small): read it whole, so it is compressed like a page, with
            # its Content-Length; the file is closed when the response is.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)
