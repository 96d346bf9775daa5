# Muster in a container: slim Python, a non-root user, the database on a volume. Only the
# runtime pins (requirements.lock) are installed; the test and lint tools are in
# requirements-dev.lock, which the image never sees.
FROM python:3.11-slim

# /healthz and /metrics on port 8080 of every interface: the healthcheck below calls it
# from inside the container, and a scraper beside it on the container network. Publish it
# to the host's loopback at most (-p 127.0.0.1:8080:8080), never to the world: /metrics is
# for the operator.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/muster.db \
    WEBHOOK_LISTEN=0.0.0.0:8080 \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080

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
# One port: /healthz and /metrics (HTTP_PORT) when polling; in webhook mode the webhook's
# server (WEBHOOK_LISTEN) answers them on the same port, next to WEBHOOK_URL's path.
EXPOSE 8080
# Unhealthy when /healthz answers 503 (the database refuses writes, or Telegram has answered
# nothing for five minutes) or nothing at all. The slim image has no curl: Python's urllib
# raises on a refused connection and on any status from 400, so the exit status is 1.
# (tests/test_health.py runs this very command.)
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['HTTP_PORT'] + '/healthz', timeout=12)"]
CMD ["python", "-m", "bot"]
