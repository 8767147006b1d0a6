"""Image URLs: what can be refused before the router fetches one (scheme, and a type told by its name).

An image given by URL cannot be read before sending; its type is taken from the
``mime_type`` the caller declared, else from the URL path's extension, and a type the
router does not accept (``.bmp``, ``.svg``, ``.heic``, a GIF for Infron...) is refused.
A URL with no telling extension is left to the router.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from langchain_visionrouter._media.checks import ImagePolicy, type_name
from langchain_visionrouter._media.types import by_extension, canonical_mime
from langchain_visionrouter.errors import ImageInputError

__all__ = ["check_image_url"]


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
    declared = canonical_mime(declared) if isinstance(declared, str) else ""
    if declared.startswith("image/"):
        mime, source = declared, f"declared mime_type {declared}"
    else:
        try:
            path = urlsplit(url).path
        except ValueError:
            return
        ext = posixpath.splitext(path)[1].lower()
        mime, source = by_extension(ext) or "", f"its {ext} extension"
    if mime and mime not in policy.allowed_types:
        msg = (
            f"{where}: the image at {url[:80]!r} is {type_name(mime)} (from {source}), which {policy.router} "
            f"does not accept. Accepted image types: {policy.describe_allowed()}. Convert the image "
            "(e.g. to PNG or JPEG) and send it by URL or inline."
        )
        raise ImageInputError(msg)
