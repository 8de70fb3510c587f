"""Counterflow: shared intelligence analysis against people-smuggling networks on the Balkan route."""

__version__ = "0.1.0"
