"""The webhook server: composition root, channel adapters, router, worker, CLI."""
