"""Media types: one table for every fact about a file format the package uses. Pure data.

A row per type: its MIME type, the name users know it by, its file-name extensions, the
Pillow format that writes it (images the package can re-encode), and for audio the
chat-completions format name (``input_audio.format`` going up, ``audio.format`` coming
back). Every lookup (by MIME type, alias, extension, audio format) reads this table, so
the two directions of audio can never disagree.

Audio formats: OpenRouter's audio-input guide lists wav, mp3, aiff, aac, ogg, flac, m4a,
pcm16 and pcm24; OpenAI's audio output adds opus (in an Ogg container). Where a MIME type
has two format names (``audio/ogg``: ``ogg`` in, ``opus`` out), the first row is the one
sent up.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MEDIA_TYPES",
    "MIME_ALIASES",
    "ROUTER_AUDIO_TYPES",
    "ROUTER_VIDEO_TYPES",
    "MediaType",
    "audio_format_for",
    "audio_mime_for",
    "by_extension",
    "canonical_mime",
    "mime_for_pillow",
    "pillow_format",
    "type_label",
]


@dataclass(frozen=True)
class MediaType:
    mime: str
    name: str
    extensions: tuple[str, ...] = ()
    #: Pillow's format name, for the image types the package writes when it re-encodes.
    pillow: str | None = None
    #: The chat-completions name of an audio format (``"mp3"``...).
    audio_format: str | None = None
    #: Other MIME types seen for the same bytes (``image/jpg``...).
    aliases: tuple[str, ...] = ()


MEDIA_TYPES: tuple[MediaType, ...] = (
    MediaType("image/png", "PNG", (".png",), pillow="PNG", aliases=("image/x-png",)),
    MediaType("image/jpeg", "JPEG", (".jpg", ".jpeg", ".jpe"), pillow="JPEG", aliases=("image/jpg", "image/pjpeg")),
    MediaType("image/gif", "GIF", (".gif",), pillow="GIF"),
    MediaType("image/webp", "WebP", (".webp",), pillow="WEBP"),
    MediaType("image/bmp", "BMP", (".bmp", ".dib")),
    MediaType("image/tiff", "TIFF", (".tif", ".tiff")),
    MediaType("image/heic", "HEIC", (".heic", ".heif")),
    MediaType("image/avif", "AVIF", (".avif",)),
    MediaType("image/svg+xml", "SVG", (".svg", ".svgz")),
    MediaType("image/x-icon", "ICO", (".ico",)),
    MediaType("application/pdf", "PDF", (".pdf",)),
    MediaType("audio/wav", "WAV", (".wav",), audio_format="wav", aliases=("audio/x-wav", "audio/wave")),
    MediaType("audio/mpeg", "MP3", (".mp3",), audio_format="mp3", aliases=("audio/mp3",)),
    MediaType("audio/flac", "FLAC", (".flac",), audio_format="flac", aliases=("audio/x-flac",)),
    MediaType("audio/ogg", "Ogg", (".ogg", ".oga"), audio_format="ogg"),
    MediaType("audio/ogg", "Opus", (".opus",), audio_format="opus", aliases=("audio/opus",)),
    MediaType("audio/aac", "AAC", (".aac", ".adts"), audio_format="aac", aliases=("audio/x-aac",)),
    MediaType("audio/mp4", "M4A", (".m4a",), audio_format="m4a", aliases=("audio/x-m4a",)),
    MediaType("audio/aiff", "AIFF", (".aiff", ".aif"), audio_format="aiff", aliases=("audio/x-aiff",)),
    MediaType("audio/pcm", "PCM (16-bit)", (), audio_format="pcm16", aliases=("audio/l16",)),
    MediaType("audio/pcm", "PCM (24-bit)", (), audio_format="pcm24", aliases=("audio/l24",)),
    MediaType("video/mp4", "MP4", (".mp4", ".m4v")),
    MediaType("video/mpeg", "MPEG", (".mpeg", ".mpg")),
    # OpenRouter's video guide lists "video/mov" (no registered type): read as QuickTime, sent as listed.
    MediaType("video/quicktime", "MOV", (".mov", ".qt"), aliases=("video/mov",)),
    MediaType("video/webm", "WebM", (".webm",)),
    MediaType("video/x-matroska", "Matroska (MKV)", (".mkv",)),
    MediaType("video/x-msvideo", "AVI", (".avi",)),
)

#: Video types OpenRouter's video guide lists ("Supported Video Formats"), by the MIME type
#: sent for each in a data URL (its own spelling: ``video/mov``, not ``video/quicktime``).
ROUTER_VIDEO_TYPES: dict[str, str] = {
    "video/mp4": "video/mp4",
    "video/mpeg": "video/mpeg",
    "video/quicktime": "video/mov",
    "video/webm": "video/webm",
}
#: Audio types whose format OpenRouter's audio guide lists ("Supported Audio Input Formats";
#: raw PCM has no header to read, so it is not among the types read from bytes).
ROUTER_AUDIO_TYPES = frozenset(
    {"audio/wav", "audio/mpeg", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac", "audio/mp4"}
)

#: Alias -> the MIME type the table knows the bytes by.
MIME_ALIASES: dict[str, str] = {alias: t.mime for t in MEDIA_TYPES for alias in t.aliases}
_BY_MIME: dict[str, MediaType] = {}
for _t in MEDIA_TYPES:
    _BY_MIME.setdefault(_t.mime, _t)  # the first row of a MIME type is its name and format going up
_BY_EXTENSION = {ext: t.mime for t in MEDIA_TYPES for ext in t.extensions}
_BY_AUDIO_FORMAT = {t.audio_format: t.mime for t in MEDIA_TYPES if t.audio_format}
_BY_PILLOW = {t.pillow: t.mime for t in MEDIA_TYPES if t.pillow}


def canonical_mime(mime: str) -> str:
    """``mime`` lowercased, with an alias replaced by the type the table knows (``image/jpg`` -> ``image/jpeg``)."""
    mime = mime.strip().lower()
    return MIME_ALIASES.get(mime, mime)


def type_label(mime: str | None) -> str:
    """The name users know a type by (``"PNG"``), or the MIME type itself."""
    if mime is None:
        return "an unknown type"
    found = _BY_MIME.get(canonical_mime(mime))
    return found.name if found else mime


def by_extension(name: str) -> str | None:
    """The MIME type a file name's extension stands for (``".JPG"`` -> ``image/jpeg``), or ``None``."""
    dot = name.rfind(".")
    return None if dot < 0 else _BY_EXTENSION.get(name[dot:].lower())


def pillow_format(mime: str) -> str | None:
    """Pillow's format name for an image type the package writes, or ``None``."""
    found = _BY_MIME.get(canonical_mime(mime))
    return found.pillow if found else None


def mime_for_pillow(pillow: str) -> str | None:
    """The MIME type of an image Pillow opened as ``pillow`` (``"JPEG"`` -> ``image/jpeg``), or ``None``."""
    return _BY_PILLOW.get(pillow)


def audio_format_for(mime: str) -> str:
    """The ``input_audio.format`` for an audio MIME type (``audio/mpeg`` -> ``mp3``).

    An unknown type sends its subtype (``audio/x-foo`` -> ``x-foo``): the router may know it.
    """
    mime = canonical_mime(mime)
    found = _BY_MIME.get(mime)
    if found is not None and found.audio_format:
        return found.audio_format
    return mime.rsplit("/", 1)[-1]


def audio_mime_for(audio_format: str) -> str:
    """The MIME type of audio in a chat-completions format (``mp3`` -> ``audio/mpeg``)."""
    fmt = audio_format.strip().lower()
    return _BY_AUDIO_FORMAT.get(fmt, f"audio/{fmt}")
