"""A photo someone uploads, made safe to store and show: the one function is `photo_clean`.

    from workshops.photos import PhotoRefused, photo_clean

    try:
        photo = photo_clean(upload)          # any file-like object, e.g. request.FILES["photo"]
    except PhotoRefused as refused:          # an ActionRefused: .code "invalid_photo", .message
        ...                                  # nothing was stored; show refused.message
    model.photo.save(photo.name, photo.file)  # photo.file is a Django ContentFile

What comes back is a new file encoded by Pillow from the decoded pixels alone, in
the format it came in (JPEG, PNG or WebP), so nothing of the original bytes is
kept: no EXIF (above all no GPS position), no XMP, no comments, no embedded
thumbnails, no trailing data. A phone's portrait photo is turned upright first,
because its orientation lives in the EXIF that is dropped. It is refused, with a
message the person can act on, when it is:

- larger than `settings.SAMSKAB["PHOTO_MAX_BYTES"]` (env `SAMSKAB_PHOTO_MAX_BYTES`,
  default 5 MB) as uploaded;
- not a JPEG, PNG or WebP image, or broken;
- more than `PHOTO_MAX_PIXELS` pixels (a decompression bomb: a small file that
  unpacks into gigabytes) — refused before any pixel is decoded.

Images wider or taller than `settings.SAMSKAB["PHOTO_MAX_SIDE"]` (env
`SAMSKAB_PHOTO_MAX_SIDE`, default 2048) are scaled down to fit.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ActionRefused

PHOTO_REFUSED = "invalid_photo"
# Formats accepted, and the file extension each is stored with.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Above what a phone camera saves (12-50 megapixels) yet far below what a
# bomb unpacks to; Pillow's own limit only warns below twice its value, so we check.
PHOTO_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85


class PhotoRefused(ActionRefused):
    """The upload is not a photo we will store; nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(PHOTO_REFUSED, message)


@dataclass(frozen=True)
class CleanPhoto:
    file: ContentFile[bytes]
    name: str  # "photo.jpg", "photo.png" or "photo.webp"
    content_type: str
    width: int
    height: int


def photo_clean(upload: IO[bytes], *, max_bytes: int | None = None) -> CleanPhoto:
    """A re-encoded copy of the uploaded photo, or PhotoRefused saying why not."""
    limit = max_bytes if max_bytes is not None else int(settings.SAMSKAB["PHOTO_MAX_BYTES"])
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoRefused(
            _("The photo is too large: at most %(megabytes)s MB.")
            % {"megabytes": f"{limit / 1_000_000:g}"}
        )
    if not data:
        raise PhotoRefused(_("The photo is empty."))
    image = _open(data)
    kind = str(image.format)
    image = ImageOps.exif_transpose(image) or image
    side = int(settings.SAMSKAB["PHOTO_MAX_SIDE"])
    if image.width > side or image.height > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return _encode(image, kind)


def _open(data: bytes) -> Image.Image:
    """Decode the pixels of an accepted format; refuse anything else before decoding."""
    not_an_image = _("That file is not a photo. Send a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (not refuses) between its limit and twice it; we refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(
            _("The photo has too many pixels to be a real photo. Send a smaller one.")
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise PhotoRefused(not_an_image) from None
    if image.format not in FORMATS:
        raise PhotoRefused(not_an_image)
    return image


def _encode(image: Image.Image, kind: str) -> CleanPhoto:
    # Only the pixels go into the new file: no `exif=`, `icc_profile=` or info is passed.
    if kind == "JPEG":
        pixels = image.convert("RGB")
        options: dict[str, object] = {"quality": JPEG_QUALITY, "optimize": True}
    elif kind == "PNG":
        pixels = image if image.mode in {"RGB", "RGBA", "L", "LA"} else image.convert("RGBA")
        options = {"optimize": True}
    else:
        pixels = image if image.mode in {"RGB", "RGBA"} else image.convert("RGBA")
        options = {"quality": JPEG_QUALITY}
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format=kind, **options)
    extension = FORMATS[kind]
    return CleanPhoto(
        file=ContentFile(out.getvalue(), name=f"photo.{extension}"),
        name=f"photo.{extension}",
        content_type=CONTENT_TYPES[kind],
        width=clean.width,
        height=clean.height,
    )
