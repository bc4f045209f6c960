"""The Blue Heart profile-picture frame put on a person's photo, as the UN toolkit offers.

The photo is turned upright (EXIF), cropped to a centred square, scaled to 1080 x 1080 and the
transparent frame (rendered from `templates/frame.typ`, the same as in the social kit) is laid
over it.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from bluekit.errors import InputFileError
from bluekit.files.atomic import write_atomic
from bluekit.kit.social import FRAME_PIXELS, frame_job
from bluekit.pipeline.render import render


def framed_photo(photo: bytes) -> bytes:
    """PNG bytes of the photo, square, with the frame on top."""
    try:
        image: Image.Image = Image.open(io.BytesIO(photo))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise InputFileError(
            f"not an image bluekit can read ({exc})", hint="use a JPEG or PNG photo"
        ) from None
    image = ImageOps.exif_transpose(image).convert("RGBA")
    square = ImageOps.fit(image, (FRAME_PIXELS, FRAME_PIXELS), Image.Resampling.LANCZOS)
    frame = Image.open(io.BytesIO(render(frame_job()))).convert("RGBA")
    if frame.size != square.size:
        frame = frame.resize(square.size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    Image.alpha_composite(square, frame).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def frame_photo(photo: Path, out: Path | None = None, *, overwrite: bool = False) -> Path:
    """Write `<photo>-blueheart.png` (or `out`) and return its path; never overwrites unless
    asked."""
    target = out or photo.with_name(f"{photo.stem}-blueheart.png")
    if target.exists() and not overwrite:
        raise InputFileError(f"{target} already exists", hint="choose --out or pass --force")
    try:
        data = photo.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{photo}: no such file") from None
    try:
        result = framed_photo(data)
    except InputFileError as exc:
        raise InputFileError(f"{photo}: {exc.message}", hint=exc.hint) from None
    write_atomic(target, result)
    return target
