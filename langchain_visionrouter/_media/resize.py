"""Pillow work for images: downscale, re-encode, convert. Private; imported lazily.

Importing this module imports Pillow, so :mod:`langchain_visionrouter._media.checks` loads it
only when an image actually has to be decoded (see ``images._pillow``): importing the
package never imports PIL.

Rules kept by every function here:

* the aspect ratio is kept (both sides scale by the same factor);
* transparency is kept: an image with transparent pixels stays PNG, or lossless WebP
  when it came as WebP, and is made smaller by scaling, never by a lossy codec;
* EXIF orientation is applied to the pixels (the re-encoded image carries no EXIF,
  which also drops location data);
* with ``max_bytes`` the result is under the limit, or ``ImageInputError`` says it
  cannot be (quality is lowered first for JPEG/WebP, then the image is scaled down);
* nothing over :data:`MAX_PIXELS` is decoded: the size is read from the header first
  (a decompression bomb, a small file of a huge image, is refused before Pillow
  allocates anything), and big images are decoded at a reduced scale where the codec
  can (JPEG ``draft``) and shrunk with ``reduce`` before the fine resampling.
"""

from __future__ import annotations

import io
import logging
import math

from PIL import Image, ImageOps

from langchain_visionrouter._media.header import HEADER_BYTES, image_dimensions
from langchain_visionrouter._media.types import mime_for_pillow, pillow_format
from langchain_visionrouter.errors import ImageInputError

__all__ = ["MAX_PIXELS", "encode_image", "fit_image"]

#: Pixels an image may have to be decoded here (a 48-megapixel photo fits; its decoded
#: form is ~200 MB already). Below Pillow's own bomb threshold, whose warning is kept.
MAX_PIXELS = 64_000_000

logger = logging.getLogger(__name__)

# Below ~60 JPEG/WebP artefacts hurt a model more than fewer pixels do: shrink instead.
_QUALITIES = (90, 80, 70, 60)
_MIN_SIDE = 16  # below this an image is no use to a model: give up instead
_MAX_ROUNDS = 12


def fit_image(
    data: bytes,
    *,
    where: str,
    max_side: int | None = None,
    max_bytes: int | None = None,
    convert_to: str | None = None,
) -> tuple[bytes, str]:
    """Return ``(bytes, mime type)`` within the limits, in ``convert_to`` when given.

    The input comes back unchanged (same object) when it is already within the limits
    and no conversion is asked for, so a small image is never re-encoded.
    """
    _check_pixels(image_dimensions(data[:HEADER_BYTES]), where)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            _check_pixels(opened.size, where)  # types whose header image_dimensions does not read
            source_format = opened.format or ""
            if convert_to is None and _within(opened.size, len(data), max_side, max_bytes):
                return data, mime_for_pillow(source_format) or "application/octet-stream"
            if getattr(opened, "n_frames", 1) > 1:
                logger.warning("%s: animated image; only its first frame is sent after resizing", where)
            scale = _first_scale(opened.size, source_format, len(data), max_side, max_bytes, convert_to)
            start_side = max(1, round(max(opened.size) * scale))
            if source_format == "JPEG" and scale < 1:
                # Decode at a reduced scale straight away: much faster for big photos.
                # (Room is left above the first guess, which may be too cautious.)
                room = min(max(opened.size), max_side or max(opened.size), start_side * 2)
                opened.draft(opened.mode, (room, room))
            image = _upright(opened)
    except ImageInputError:
        raise
    except Image.DecompressionBombError:
        raise ImageInputError(f"{where}: the image has too many pixels to decode safely.") from None
    except (OSError, ValueError, SyntaxError) as exc:
        msg = f"{where}: the image data cannot be decoded ({exc}). Is the file complete?"
        raise ImageInputError(msg) from None
    return _encode(
        image,
        source_format,
        where=where,
        max_side=max_side,
        max_bytes=max_bytes,
        convert_to=convert_to,
        start_side=start_side,
        source_bytes=len(data),
    )


def _check_pixels(size: tuple[int, int] | None, where: str) -> None:
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        msg = (
            f"{where}: the image is {size[0]}x{size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels), over "
            f"the {MAX_PIXELS / 1e6:.0f}-megapixel ceiling for decoding it safely, so it is not resized or sent. "
            "Downscale it with an image tool first."
        )
        raise ImageInputError(msg)


def encode_image(
    image: Image.Image,
    *,
    where: str,
    mime_type: str | None = None,
    max_side: int | None = None,
    max_bytes: int | None = None,
) -> tuple[bytes, str]:
    """Encode an in-memory PIL image: as ``mime_type`` if given, else JPEG when it was
    loaded from a JPEG and PNG otherwise (lossless), within the limits."""
    source_format = (image.format or "").upper()
    if mime_type is None:
        mime_type = "image/jpeg" if source_format == "JPEG" else "image/png"
    try:
        upright = _upright(image)
    except (OSError, ValueError) as exc:
        raise ImageInputError(f"{where}: the image cannot be read ({exc}).") from None
    return _encode(upright, source_format, where=where, max_side=max_side, max_bytes=max_bytes, convert_to=mime_type)


def _first_scale(
    size: tuple[int, int],
    source_format: str,
    nbytes: int,
    max_side: int | None,
    max_bytes: int | None,
    convert_to: str | None,
) -> float:
    """The scale to try first: what max_side asks, smaller if the bytes clearly will not fit."""
    scale = min(1.0, max_side / max(size)) if max_side else 1.0
    same_codec = convert_to is None or pillow_format(convert_to) == source_format
    if max_bytes and nbytes > max_bytes and same_codec and source_format in ("JPEG", "WEBP"):
        # Re-encoding in the same lossy codec, bytes go roughly with pixels. (A PNG
        # photo becomes a far smaller JPEG, so no guess is made from its size.)
        scale = min(scale, math.sqrt(max_bytes / nbytes))
    return scale


def _within(size: tuple[int, int], nbytes: int, max_side: int | None, max_bytes: int | None) -> bool:
    return (max_side is None or max(size) <= max_side) and (max_bytes is None or nbytes <= max_bytes)


def _upright(image: Image.Image) -> Image.Image:
    # exif_transpose returns a copy (rotated when the EXIF says so), detached from the file.
    upright = ImageOps.exif_transpose(image)
    if upright is None:  # pragma: no cover - only with in_place=True
        upright = image
    upright.load()
    return _eight_bit(upright)


#: Modes holding more than 8 bits a sample: Pillow's 16-bit grey (``I;16*``, what a 16-bit
#: grey PNG or TIFF opens as), 32-bit integer (``I``) and float (``F``).
_DEEP_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _eight_bit(image: Image.Image) -> Image.Image:
    """A high-bit-depth grey image rescaled to 8-bit ``L``; any other image as it is.

    Pillow's own conversion of these modes to ``L`` or ``RGB`` clips at 255 instead of
    rescaling, so a 16-bit ramp comes out all white. Rescaled here by the depth the mode
    implies (``I;16``: 65535 -> 255), and for ``I``/``F`` by the values' range: integers
    above 255 are read as 16-bit, floats within 0-1 as fractions, anything else stretched
    from its own extremes. (16-bit RGB PNGs open as 8-bit ``RGB``: Pillow keeps the high
    byte, which is a rescale already.)
    """
    if image.mode not in _DEEP_MODES:
        return image
    info = dict(image.info)
    wide = image.convert("F") if image.mode == "F" else image.convert("I").convert("F")
    extrema = wide.getextrema()  # (min, max) for a one-band image
    low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
    if image.mode.startswith("I;16") or (image.mode == "I" and 255 < high <= 65535 and low >= 0):
        low, top = 0.0, 65535.0
    elif image.mode == "I" and low >= 0 and high <= 255:
        low, top = 0.0, 255.0
    elif image.mode == "F" and low >= 0 and high <= 1:
        low, top = 0.0, 1.0
    else:
        top = high if high > low else low + 1
    scale = 255.0 / (top - low)
    grey = wide.point(lambda v: (v - low) * scale).convert("L")
    grey.info.update(info)
    return grey


def _has_alpha(image: Image.Image) -> bool:
    """Whether any pixel is (partly) transparent; an opaque alpha channel does not count."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        extrema = image.getchannel("A").getextrema()
        return bool(extrema[0] < 255)  # type: ignore[operator]
    if "transparency" in image.info:
        return bool(image.convert("RGBA").getchannel("A").getextrema()[0] < 255)  # type: ignore[operator]
    return False


def _target_format(source_format: str, alpha: bool, convert_to: str | None) -> str:
    if convert_to is not None:
        fmt = pillow_format(convert_to)
        assert fmt is not None  # convert_to was checked against the types the package writes
        return fmt
    if alpha:
        return "WEBP" if source_format == "WEBP" else "PNG"
    if source_format in ("JPEG", "WEBP"):
        return source_format
    return "PNG"  # PNG, GIF (first frame) and anything else: start lossless


def _prepare(image: Image.Image, fmt: str, alpha: bool) -> Image.Image:
    """Convert to a mode the output format can store."""
    if fmt == "JPEG":
        if alpha:  # JPEG has no alpha: flatten on white rather than on black
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            return background
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if alpha:
        return image if image.mode in ("RGBA", "LA") else image.convert("RGBA")
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "P" and fmt in ("PNG", "GIF"):
        return image
    return image.convert("RGB")


def _save(image: Image.Image, fmt: str, quality: int | None, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    params: dict[str, object] = {}
    if icc:
        params["icc_profile"] = icc
    if fmt == "JPEG":
        params.update(quality=quality or _QUALITIES[0], optimize=True)
    elif fmt == "WEBP" and quality is None:
        params.update(lossless=True)
    elif fmt == "WEBP":
        params.update(quality=quality, method=4)
    elif fmt == "PNG":
        params.update(compress_level=6)
    image.save(out, format=fmt, **params)
    return out.getvalue()


def _encode(
    image: Image.Image,
    source_format: str,
    *,
    where: str,
    max_side: int | None,
    max_bytes: int | None,
    convert_to: str | None,
    start_side: int | None = None,
    source_bytes: int | None = None,
) -> tuple[bytes, str]:
    alpha = _has_alpha(image)
    fmt = _target_format(source_format, alpha, convert_to)
    if fmt == "JPEG" and alpha:
        logger.warning("%s: JPEG has no transparency; transparent pixels are made white", where)
    icc = image.info.get("icc_profile")
    icc_bytes = icc if isinstance(icc, bytes) else None
    width, height = image.size
    longest = max(width, height)
    top = min(1.0, max_side / longest) if max_side else 1.0  # never above max_side, never upscaled
    scale = min(top, start_side / longest) if start_side else top
    opaque_png = fmt == "PNG" and not alpha and convert_to is None
    if opaque_png and max_bytes and source_bytes and source_bytes * scale * scale > 1.5 * max_bytes:
        fmt = "JPEG"  # a PNG this far over budget cannot fit as PNG: skip that try
    prepared = _prepare(image, fmt, alpha)

    def attempt(scale: float) -> tuple[bytes, bool]:
        """Encode at this scale: lossy codecs try several qualities; transparent images
        (and PNG, which has no quality knob) have one try, so they stay lossless."""
        lossy = fmt == "JPEG" or (fmt == "WEBP" and not alpha)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # reducing_gap: shrink by whole factors first (fast, box filter), then resample finely.
        frame = prepared if size == prepared.size else prepared.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        qualities: tuple[int | None, ...] = (None,) if not lossy else _QUALITIES if max_bytes else _QUALITIES[:1]
        out = b""
        for quality in qualities:
            out = _save(frame, fmt, quality, icc_bytes)
            if max_bytes is None or len(out) <= max_bytes:
                return out, True
        return out, False

    out = b""
    for _ in range(_MAX_ROUNDS):
        out, fits = attempt(scale)
        if fits:
            if max_bytes and scale < top and len(out) < 0.6 * max_bytes:
                # The guess shrank it more than needed: one step back up, if that fits too.
                bigger, bigger_fits = attempt(min(top, scale * math.sqrt(0.9 * max_bytes / len(out))))
                if bigger_fits:
                    out = bigger
            return out, mime_for_pillow(fmt) or "application/octet-stream"
        if fmt == "PNG" and not alpha and convert_to is None:
            # An opaque PNG over budget: a photo, most likely. JPEG is far smaller.
            fmt = "JPEG"
            prepared = _prepare(image, fmt, alpha)
            continue
        assert max_bytes is not None
        # Bytes grow roughly with the pixel count: aim a little under the budget.
        scale *= max(0.3, min(0.9, math.sqrt(max_bytes / len(out)) * 0.95))
        if longest * scale < _MIN_SIDE:
            break
    msg = (
        f"{where}: cannot make the image fit in {max_bytes} bytes (the smallest attempt was "
        f"{len(out)} bytes). Raise max_bytes."
    )
    raise ImageInputError(msg)
