"""Image URLs: what can be refused before the router fetches one (scheme, and a type told by its name).

An image given by URL cannot be read before sending; its type is taken from the
``mime_type`` the caller declared, else from the URL path's extension, and a type the
router does not accept (``.bmp``, ``.svg``, ``.heic``, a GIF for Infron...) is refused.
A URL with no telling extension is left to the router.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from langchain_visionrouter._media.checks import MIME_ALIASES, ImagePolicy, type_name
from langchain_visionrouter.errors import ImageInputError

__all__ = ["check_image_url"]

_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".dib": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heic",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".svgz": "image/svg+xml",
    ".ico": "image/x-icon",
}


def check_image_url(url: str, *, where: str, policy: ImagePolicy | None = None, declared: str | None = None) -> None:
    """Refuse URL schemes the router cannot fetch (``file:``, ``javascript:``, ``ftp:`` ...).

    With a ``policy`` (image URLs), also refuse an image type the router does not accept,
    read from the ``declared`` MIME type or else from the URL's extension.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("http", "https"):
        if policy is not None:
            _check_url_image_type(url, declared, policy, where)
        return
    if not scheme:
        msg = (
            f"{where}: {url[:80]!r} is not a URL. Give an http(s) URL, a base64 data URL, "
            "or load a local file with image_block(path)."
        )
    else:
        msg = (
            f"{where}: URL scheme {scheme!r} is not supported ({url[:80]!r}). The router "
            "fetches only http and https URLs; send local or private images inline with "
            "image_block(path) or as a base64 data URL."
        )
    raise ImageInputError(msg)


def _check_url_image_type(url: str, declared: str | None, policy: ImagePolicy, where: str) -> None:
    declared = declared.strip().lower() if isinstance(declared, str) else ""
    declared = MIME_ALIASES.get(declared, declared)
    if declared.startswith("image/"):
        mime, source = declared, f"declared mime_type {declared}"
    else:
        try:
            path = urlsplit(url).path
        except ValueError:
            return
        ext = posixpath.splitext(path)[1].lower()
        mime, source = _EXTENSIONS.get(ext, ""), f"its {ext} extension"
    if mime and mime not in policy.allowed_types:
        msg = (
            f"{where}: the image at {url[:80]!r} is {type_name(mime)} (from {source}), which {policy.router} "
            f"does not accept. Accepted image types: {policy.describe_allowed()}. Convert the image "
            "(e.g. to PNG or JPEG) and send it by URL or inline."
        )
        raise ImageInputError(msg)
