"""A small, known world for the styled-page tests: cameras, statistics and events with snapshots."""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from django_video_analytics.models import ANPREvent, Camera, DetectionEvent, EventStatistics
from django_video_analytics.statistics import today as utc_today

FRAME_SIZE = (640, 360)
PERSON_BOX = {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4}
CAR_BOX = {"x": 0.55, "y": 0.45, "width": 0.35, "height": 0.4}
PLATES = ("GX19WHN", "AB12CDE", "GX19ABC", "KX19PLT", "LM05XYZ")


def jpeg(size, draw):
    image = Image.new("RGB", size, (72, 84, 96))
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return ContentFile(buffer.getvalue())


def frame_with(*boxes):
    """A camera frame with a filled shape where each box is (so a misplaced box shows)."""
    width, height = FRAME_SIZE

    def draw(canvas):
        canvas.rectangle((0, height * 0.7, width, height), fill=(110, 110, 100))
        for box, colour in boxes:
            left, top = box["x"] * width, box["y"] * height
            right, bottom = left + box["width"] * width, top + box["height"] * height
            canvas.rectangle((left, top, right, bottom), fill=colour)

    return jpeg(FRAME_SIZE, draw)


def plate_crop(plate):
    font = ImageFont.load_default(size=34)

    def draw(canvas):
        canvas.rectangle((4, 4, 236, 56), fill=(250, 204, 21), outline=(20, 20, 20), width=3)
        canvas.text((120, 30), plate, fill=(20, 20, 20), font=font, anchor="mm")

    return jpeg((240, 60), draw)


def build(plates=5):
    """Cameras, 30 days of statistics, two detections with snapshots and ``plates`` reads."""
    now = timezone.now()
    gate = Camera.objects.create(
        camera_id="gate",
        name="Front gate",
        location="Main entrance",
        status="active",
        last_active_at=now,
    )
    Camera.objects.create(camera_id="yard", name="Yard", location="Back", status="inactive")
    Camera.objects.create(
        camera_id="dock", name="Loading dock", status="error", last_error="Stream timed out"
    )
    for days_back in range(30):
        wave = (days_back * 7) % 11
        EventStatistics.objects.create(
            camera=gate,
            date=utc_today() - datetime.timedelta(days=days_back),
            detection_count=20 + wave * 3,
            motion_count=40 + wave,
            anpr_count=5 + wave % 4,
            person_count=12 + wave * 2,
            car_count=6 + wave,
            truck_count=1 + wave % 3,
            other_count=wave % 2,
        )
    detections = []
    for number in range(2):
        event = DetectionEvent(
            camera=gate,
            timestamp=now - datetime.timedelta(minutes=number + 1),
            source_id=f"scene:d:{number}",
            detection_count=2,
            model_type="yolov8n",
            detections=[
                {
                    "class_name": "person",
                    "confidence": 0.91,
                    "bounding_box": PERSON_BOX,
                    "track_id": 3,
                },
                {
                    "class_name": "car",
                    "confidence": 0.84,
                    "bounding_box": CAR_BOX,
                    "track_id": 5,
                    "license_plate": "GX19WHN",
                },
            ],
        )
        event.snapshot.save(
            f"frame-{number}.jpg",
            frame_with((PERSON_BOX, (196, 170, 140)), (CAR_BOX, (150, 160, 175))),
            save=False,
        )
        event.save()
        detections.append(event)
    for number in range(plates):
        plate = PLATES[number % len(PLATES)]
        event = ANPREvent(
            camera=gate,
            timestamp=now - datetime.timedelta(seconds=30 + number),
            source_id=f"scene:p:{number}",
            license_plate=plate,
            confidence=0.9,
        )
        if number < 3:
            event.snapshot.save(f"plate-{number}.jpg", plate_crop(plate), save=False)
        event.save()
    return detections
