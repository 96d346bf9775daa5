"""The SQLite database: the only place that opens it or speaks SQL."""

from storage.db import Database, StorageError

__all__ = ["Database", "StorageError"]
