"""The text catalogs, one module per language; both must hold the same keys."""
