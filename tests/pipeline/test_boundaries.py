"""The analysis pipeline stays free of Django: settings and services come from the worker."""

import subprocess
import sys

PIPELINE_MODULES = [
    "django_video_analytics.pipeline.analyzer",
    "django_video_analytics.pipeline.anpr.stage",
    "django_video_analytics.pipeline.detectors",
    "django_video_analytics.pipeline.remote_inference",
    "django_video_analytics.pipeline.sources",
]


def test_the_pipeline_a_plate_stage_and_a_detector_load_no_django():
    script = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in PIPELINE_MODULES)
        + "django_video_analytics.pipeline.anpr.stage.PlateReadingStage(None, localizers=[])\n"
        + "django_video_analytics.pipeline.detectors.OnnxRuntimeDetector()\n"
        + "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_wire_half_of_the_event_types_loads_no_models_nor_the_database_layer():
    # wire.KINDS is the event-type table producers use; only the stored half needs models.
    script = (
        "import sys\n"
        "import django_video_analytics.events.wire\n"
        "print(sorted(name for name in sys.modules if name.startswith("
        "('django.db', 'django_video_analytics.models', 'django_video_analytics.events.kinds'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
