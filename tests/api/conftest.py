"""A governed store with three agencies, their users and tokens, and a test client of the service."""

from apitools import client, store, tokens  # noqa: F401  (fixtures)
