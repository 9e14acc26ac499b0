"""Where documents, attachments and export packages are stored: local disk or S3-compatible object storage.

Every read and write goes through Django's storage API (``FieldFile.open``/``save``, ``storage.open``), never
through ``FieldFile.path``: object storage has no local path (docs/scaling.md).
"""

from __future__ import annotations

from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"


def default_storage_config(
    *, bucket_name: str, endpoint_url: str = "", region_name: str = "", addressing_style: str = ""
) -> dict[str, Any]:
    """``STORAGES["default"]``: the S3 backend of django-storages when a bucket is named, else local disk.

    Credentials are not passed here: boto3 finds them itself (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in
    the environment, a shared credentials file or an instance role), so they never sit in settings.
    """
    if not bucket_name:
        return {"BACKEND": FILESYSTEM_BACKEND}
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            # MinIO and most on-premises stores need path-style URLs (no per-bucket DNS name).
            "addressing_style": addressing_style or None,
            # Two attachments of one message may share a file name: keep both, as FileSystemStorage does,
            # instead of S3's default of silently replacing the first.
            "file_overwrite": False,
            # Files are personal data and archive material: served only through views that check roles,
            # never by a public bucket URL.
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
