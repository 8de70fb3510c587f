"""The HTTP service (FastAPI): every capability behind a versioned, documented API."""

from counterflow.api.app import create_app

__all__ = ["create_app"]
