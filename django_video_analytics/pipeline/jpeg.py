"""JPEG encoding of frames and crops, for snapshots."""

import cv2

JPEG_QUALITY = 85


def encode_jpeg(image, quality=JPEG_QUALITY):
    """The JPEG bytes of a BGR numpy image."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the image cannot be encoded as JPEG")
    return encoded.tobytes()
