"""The file storage for uploads and issued documents: Django's, minus the partial files it leaves behind."""

from __future__ import annotations

import contextlib
import errno
import os
from contextvars import ContextVar
from typing import Any

from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage

# A full disk or an exhausted quota: the request is answered 507 (core.middleware), not 500.
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})

# The paths one ``_save`` call has tried, in order (per thread and per call: a ContextVar).
_attempted_paths: ContextVar[list[str] | None] = ContextVar("motcua_storage_attempts", default=None)


# Issued documents (results, receipts, forms) and signed PDFs: once written, a name is never written again
# (the archive job writes a new version under a new name). Django's storages pick a new name rather than
# overwrite; a write that would still replace one of these files is refused.
WRITE_ONCE_PREFIXES: tuple[str, ...] = ("documents/", "signing/")


class WriteOnceError(FileExistsError):
    """A write to the name of an existing issued document."""


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS


class FileSystemStorage(DjangoFileSystemStorage):
    """When writing a file fails part-way (ENOSPC, EDQUOT, an I/O error), Django leaves the empty or
    truncated file on disk: every failed upload on a full disk added one (review reliability F8). Here the
    file this call created is removed before the error goes on.

    Django's ``_save`` creates the file with O_EXCL and asks ``path()`` for a new full path only after
    ``FileExistsError``, so the last path it asked for is the one it created (or failed to create)."""

    def path(self, name: str) -> str:
        full_path = super().path(name)
        attempted = _attempted_paths.get()
        if attempted is not None:
            attempted.append(full_path)
        return full_path

    def _save(self, name: str, content: Any) -> str:
        attempted: list[str] = []
        token = _attempted_paths.set(attempted)
        try:
            return str(super()._save(name, content))  # type: ignore[misc]  # not in django-stubs
        except FileExistsError:
            raise
        except OSError:
            if attempted:
                with contextlib.suppress(OSError):
                    os.unlink(attempted[-1])
            raise
        finally:
            _attempted_paths.reset(token)
