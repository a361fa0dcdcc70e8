"""Integrity helpers (issue 9 item 7): the hash algorithm, SHA-256 or SM3 (GB/T 32905)."""
