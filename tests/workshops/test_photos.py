"""Uploaded photos: re-encoded, metadata gone, bombs and non-images refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.test import override_settings
from PIL import ExifTags, Image

from workshops.photos import PhotoRefused, photo_clean

GPS_LATITUDE = 2  # GPSLatitude in the GPS IFD


def _image_bytes(kind: str, size: tuple[int, int] = (40, 20), **save: object) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    # A white left half, so a rotation is visible in the pixels.
    image.paste((255, 255, 255), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, format=kind, **save)
    return out.getvalue()


def _phone_photo() -> bytes:
    """A JPEG as a phone writes it: camera, position, and an orientation to turn it upright."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to show
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1] = "N"
    gps[GPS_LATITUDE] = (55.0, 40.0, 34.5)
    gps[3] = "E"
    gps[4] = (12.0, 34.0, 5.0)
    return _image_bytes("JPEG", exif=exif.tobytes())


def _reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_position_and_camera_leave_a_phone_photo() -> None:
    original = _phone_photo()
    assert _reopen(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)[GPS_LATITUDE]

    photo = photo_clean(io.BytesIO(original))

    data = photo.file.read()
    cleaned = _reopen(data)
    assert cleaned.format == "JPEG" and photo.name == "photo.jpg"
    assert photo.content_type == "image/jpeg"
    assert not cleaned.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(cleaned.getexif()) == 0
    assert "exif" not in cleaned.info
    assert b"PhoneMaker" not in data and b"Exif" not in data


def test_a_sideways_phone_photo_is_stored_upright() -> None:
    photo = photo_clean(io.BytesIO(_phone_photo()))

    cleaned = _reopen(photo.file.read())
    # 40 by 20 as taken, shown turned: 20 wide and 40 tall, the white half now on top.
    assert (cleaned.width, cleaned.height) == (20, 40) == (photo.width, photo.height)
    top, bottom = cleaned.getpixel((10, 5)), cleaned.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert min(top) > 200 and bottom[1] < 100


def test_png_text_chunks_are_dropped_and_the_format_kept() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address: Vestergade 1")
    photo = photo_clean(io.BytesIO(_image_bytes("PNG", pnginfo=info)))

    data = photo.file.read()
    assert _reopen(data).format == "PNG" and photo.name == "photo.png"
    assert b"Vestergade" not in data


def test_webp_is_accepted() -> None:
    photo = photo_clean(io.BytesIO(_image_bytes("WEBP")))

    assert _reopen(photo.file.read()).format == "WEBP"
    assert photo.content_type == "image/webp"


@override_settings(SAMSKAB={"PHOTO_MAX_BYTES": 5_000_000, "PHOTO_MAX_SIDE": 100})
def test_a_large_picture_is_scaled_down_to_fit() -> None:
    photo = photo_clean(io.BytesIO(_image_bytes("PNG", size=(300, 150))))

    assert (photo.width, photo.height) == (100, 50)
    assert _reopen(photo.file.read()).size == (100, 50)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "not a photo"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a photo"),
        (b"GIF89a" + b"\x00" * 40, "not a photo"),
        (_image_bytes("GIF"), "not a photo"),
        (_image_bytes("JPEG")[:60], "not a photo"),
        (b"", "empty"),
    ],
    ids=["pdf", "svg", "broken-gif", "gif", "truncated-jpeg", "empty"],
)
def test_what_is_not_an_accepted_image_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(PhotoRefused) as refused:
        photo_clean(io.BytesIO(data))

    assert refused.value.code == "invalid_photo"
    assert words in refused.value.message


def test_a_photo_over_the_size_limit_is_refused() -> None:
    data = _image_bytes("PNG", size=(400, 400))

    with pytest.raises(PhotoRefused, match="too large"):
        photo_clean(io.BytesIO(data), max_bytes=len(data) - 1)


def _png_claiming(width: int, height: int) -> bytes:
    """A small, valid-looking PNG whose header claims a huge picture: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    # Rows of zeros compress to almost nothing: the real bomb's trick.
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8_000, 40_000], ids=["over-our-limit", "over-pillows"])
def test_a_decompression_bomb_is_refused_before_it_is_unpacked(side: int) -> None:
    data = _png_claiming(side, side)
    assert len(data) < 100_000

    with pytest.raises(PhotoRefused, match="too many pixels"):
        photo_clean(io.BytesIO(data))
