FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core curl ghostscript \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# The pinned versions of requirements.lock (make lock), then the project without resolving again.
RUN pip install --no-cache-dir -r requirements.lock \
    && pip install --no-cache-dir --no-deps . \
    && python manage.py compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=build-only DEBUG=0 ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0

RUN useradd --create-home --uid 1000 sorum && mkdir -p /app/media && chown -R sorum /app/media
USER sorum
EXPOSE 8000
CMD ["gunicorn", "sorum_archive.wsgi:application", "-c", "python:sorum_archive.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "4"]
