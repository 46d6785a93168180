"""The named errors newsmap raises for bad input.

Every message is one line that names the file, line or field, what was expected and
what came, so the command line can print it as it is.
"""

from __future__ import annotations


class GeoError(Exception):
    """Base of every error newsmap raises on purpose."""


class GazetteerError(GeoError):
    """A gazetteer row is invalid; formats as ``gazetteer.csv:17: reason``."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class ArticleError(GeoError):
    """An article cannot be read (binary, empty, too large, undecodable)."""


class ExportError(GeoError):
    """An export cannot be written."""


class GeocoderError(GeoError):
    """The optional online geocoder failed or answered with something unusable."""


class RulesError(GeoError):
    """A rule file under ``geo/rules/`` is invalid; formats as ``triggers.toml: reason``."""


class StoreError(GeoError):
    """The collection store cannot be opened, read or written (bad ``--db``, no server)."""


class StaleReviewError(StoreError):
    """A review was made on a version of an event that someone else has changed since."""
