"""Sync with the central server: REST adapters (httpx, no Qt), outbox and cursor engine."""
