"""Static files as deployed: hashed names, with gzip and Brotli copies (WhiteNoise)."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage that still renders pages before collectstatic.

    Without a manifest (a server started on a fresh checkout with DEBUG off, as the tests'
    servers are) every page would fail on its first {% static %}; here the files keep
    their plain names instead, as they did before hashing, until collectstatic has run.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return str(super().stored_name(name))
