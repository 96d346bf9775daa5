"""Thin Telegram handlers, one module per feature: parse, call storage, reply."""
