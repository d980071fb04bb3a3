"""Production static files are compressed with gzip only, whether or not brotli is installed
(it is, in development): `make serve` collects them at every start."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

from django.utils.module_loading import import_string

from sangkien.core.static_storage import StaticStorage


def test_the_compressor_writes_gzip_and_never_brotli(tmp_path):
    compressor = StaticStorage(location=str(tmp_path)).create_compressor(quiet=True)
    assert compressor.use_gzip and not compressor.use_brotli
    script = tmp_path / "app.js"
    script.write_text("console.log('xin chào');\n" * 200, encoding="utf-8")
    written = list(compressor.compress(str(script)))
    assert written == [str(script) + ".gz"]
    assert gzip.decompress((tmp_path / "app.js.gz").read_bytes()) == script.read_bytes()


def test_production_settings_use_this_storage():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")},
        "SANGKIEN_DEBUG": "0",
        "SANGKIEN_SECRET_KEY": "k" * 60,
        "DJANGO_SETTINGS_MODULE": "sangkien.settings",
    }
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "sangkien.core.static_storage.StaticStorage"
    assert import_string(out) is StaticStorage
