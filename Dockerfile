# A minimal image: `docker build -t bfr-triage .` then
# `docker run -p 8000:8000 -e BFR_SECRET_KEY=... -e BFR_PUBLIC_URL=https://... bfr-triage`
# (settings: the README's configuration table; docs/deployment.md). `bfr-triage serve` runs
# gunicorn's gevent workers, which hold slow clients without blocking (docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BFR_BIND=0.0.0.0:8000

WORKDIR /build
COPY . .
# The compiled catalogues (.mo) are build output, never committed: make them before the wheel.
RUN pip install babel \
 && pybabel compile -d translations \
 && pip install . \
 && cd / && rm -rf /build \
 && useradd --system --uid 10001 --no-create-home bfr

WORKDIR /
USER bfr
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["bfr-triage", "serve"]
