"""orgraph HTTP API (FastAPI)."""
