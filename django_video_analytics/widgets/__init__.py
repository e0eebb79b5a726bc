"""Queries, cache and drawing behind the template tags and the live endpoint."""
