from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 800


def photo_normalize(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """Re-encode an uploaded portrait as a modest JPEG.

    Re-encoding drops whatever the camera wrote into the file (location, device, date), turns the
    picture upright, and keeps pages light on a phone.
    """
    try:
        with Image.open(upload) as original:
            portrait = ImageOps.exif_transpose(original).convert("RGB")
        portrait.thumbnail((MAX_SIDE, MAX_SIDE))
        buffer = BytesIO()
        portrait.save(buffer, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError("Please upload a photo in JPEG, PNG or WebP format.") from None
    return ContentFile(buffer.getvalue(), name="portrait.jpg")
