#!/usr/bin/env bash
# Packaging check (tox -e packaging and CI): build the wheel, check its metadata and contents,
# install it WITHOUT extras into a clean venv, prove the light install (no torch, no OpenCV),
# run `check` and `migrate` in a throwaway host project, then the light test suite against
# the installed wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=${PYTHON:-python3}

"$py" -m venv "$work/build-env"
"$work/build-env/bin/pip" install -q build twine
"$work/build-env/bin/python" -m build -q --outdir "$work/dist" . >/dev/null
"$work/build-env/bin/twine" check --strict "$work"/dist/*
wheel=$(ls "$work"/dist/*.whl)

echo "== wheel contents"
"$work/build-env/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
def has(prefix):
    return any(n.startswith(prefix) for n in names)
required = [
    "django_video_analytics/migrations/0001_initial.py",
    "django_video_analytics/templates/django_video_analytics/",
    "django_video_analytics/static/django_video_analytics/",
    "django_video_analytics/py.typed",
]
missing = [p for p in required if not has(p)]
forbidden = [
    n for n in names
    if n.startswith(("example_project/", "tests/", "benchmarks/", "testing_media/"))
]
print(f"{len(names)} files; missing: {missing}; forbidden: {forbidden[:5]}")
sys.exit(1 if missing or forbidden else 0)
PY

echo "== light install into a clean venv"
"$py" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel[test]"
for heavy in torch cv2 ultralytics easyocr onnxruntime; do
  if "$work/venv/bin/python" -c "import $heavy" 2>/dev/null; then
    echo "FAIL: the light install can import $heavy"; exit 1
  fi
done
echo "torch, cv2, ultralytics, easyocr, onnxruntime: not importable (light install)"

echo "== throwaway host project: check + migrate"
mkdir -p "$work/host/hostproject"
cat > "$work/host/hostproject/settings.py" <<'PY'
SECRET_KEY = "throwaway"
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "rest_framework", "django_filters", "django_video_analytics",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": [
                  "django.template.context_processors.request",
                  "django.contrib.auth.context_processors.auth",
                  "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
ROOT_URLCONF = "hostproject.urls"
STATIC_URL = "static/"
USE_TZ = True
PY
cat > "$work/host/hostproject/urls.py" <<'PY'
from django.contrib import admin
from django.urls import include, path
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/analytics/", include("django_video_analytics.urls")),
]
PY
touch "$work/host/hostproject/__init__.py"
(cd "$work/host" && DJANGO_SETTINGS_MODULE=hostproject.settings \
  "$work/venv/bin/python" -m django check --fail-level WARNING \
  && DJANGO_SETTINGS_MODULE=hostproject.settings "$work/venv/bin/python" -m django migrate -v0 \
  && echo "check and migrate: ok")

echo "== tests against the installed wheel (no inference extra)"
# The browser test serves the example project's pages: take them along, not its data; the
# test media and the docs (the docs tests read them) come from the checkout, not the wheel.
cp -r tests example_project testing_media docs pyproject.toml "$work/"
rm -rf "$work/example_project/var"
cd "$work"
"$work/venv/bin/python" -c "import django_video_analytics, sys; assert 'site-packages' in django_video_analytics.__file__, django_video_analytics.__file__"
DVA_TEST_DB_SUFFIX=wheel "$work/venv/bin/python" -m pytest -q -p no:cacheprovider
cd "$root"
