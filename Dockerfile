# Muster in a container: slim Python, a non-root user, the database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/muster.db \
    WEBHOOK_LISTEN=0.0.0.0:8080

WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --requirement requirements.lock
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY views ./views
COPY storage ./storage
COPY simulator ./simulator
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 muster \
    && mkdir -p /data && chown muster:muster /data

USER muster
VOLUME ["/data"]
# The webhook server, in webhook mode (WEBHOOK_URL set): the reverse proxy forwards to it.
EXPOSE 8080
CMD ["python", "-m", "bot"]
