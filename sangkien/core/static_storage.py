"""The static files' storage in production: whitenoise's hashed, compressed and cached files,
compressed with gzip only.

Brotli (installed in development as a dependency of the load-test tool) would make
`collectstatic`, which `make serve` runs at every start, about six times slower — ninety
seconds instead of fifteen on two busy cores — for files a little smaller than gzip's.
Every browser takes gzip."""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_gzip=True, use_brotli=False, **kwargs)
