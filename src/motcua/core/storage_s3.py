"""Files on S3-compatible object storage (MinIO, Ceph RGW, a cloud provider's), through django-storages.

Chosen with ``MOTCUA_STORAGE=s3`` (settings.py); every upload, issued document and form goes through
Django's storage API, so nothing else changes. Issued documents are write-once: a name is never reused
(``file_overwrite=False`` makes the storage pick a new name) and a write to an existing name under a
write-once prefix is refused — for a bucket with S3 Object Lock in compliance mode, the store refuses
deletion and overwriting too (docs/storage.md)."""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage as DjangoStoragesS3Storage

from motcua.core.storage import WRITE_ONCE_PREFIXES, WriteOnceError


class S3Storage(DjangoStoragesS3Storage):
    def _save(self, name: str, content: Any) -> str:
        if name.startswith(WRITE_ONCE_PREFIXES) and self.exists(name):
            raise WriteOnceError(name)
        return str(super()._save(name, content))
