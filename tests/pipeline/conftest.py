import pytest


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory):
    """One folder for the clips the pipeline tests build (each is built once a session)."""
    return tmp_path_factory.mktemp("pipeline-clips")


@pytest.fixture(scope="session")
def objects_clip(clip_dir):
    from testing_media import clips

    return clips.objects_clip(clip_dir)


@pytest.fixture(scope="session")
def still_clip(clip_dir):
    from testing_media import clips

    return clips.static_clip(clip_dir)


@pytest.fixture(scope="session")
def bus_image():
    import cv2

    from testing_media.clips import asset_path

    return cv2.imread(str(asset_path("bus.jpg")))
