# Production image: the same steps as `make run`, served by gunicorn as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DASHBOARD_HOST=0.0.0.0 DASHBOARD_PORT=8050 DASHBOARD_ENV=production

# Chromium prints the review meeting pack (PDF); fonts so its pages read as on screen.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 dashboard
WORKDIR /app
COPY requirements.txt .
RUN python -m pip install -r requirements.txt
COPY --chown=dashboard:dashboard . .
USER dashboard

EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import json,urllib.request,sys; r=urllib.request.urlopen('http://127.0.0.1:8050/healthz', timeout=4); sys.exit(0 if json.load(r)['status'] in ('ok','degraded') else 1)"

# With the default SQLite URL the demo database is created on first start, as `make run` does.
CMD ["sh", "-c", "python -m dashboard ensure-demo && exec gunicorn --config python:dashboard.gunicorn_conf app:server"]
