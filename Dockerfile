# One image for every CareCircle process (API, consumer, relay, Celery worker,
# migrations); docker-compose.yml chooses the process with `command:`.

# --- build: turn the project into a wheel ------------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Copy only what the package is made of: a developer's build context also holds
# .venv/, var/ (SQLite files, logs) and tests, none of which belong in the image.
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip wheel --no-deps --wheel-dir /wheels .

# --- run: the installed package and nothing else -----------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The dependencies all ship binary wheels (psycopg[binary], uvloop, cryptography),
# so no compiler is needed. The wheel carries the Alembic migrations.
# requirements.lock pins every dependency at the versions the tests passed with.
COPY requirements.lock /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --constraint /tmp/requirements.lock /wheels/*.whl && rm -rf /wheels /tmp/requirements.lock

# Processes run unprivileged. A numeric uid lets orchestrators check
# "runAsNonRoot" without reading /etc/passwd. /app/var is where embedded mode
# (`carecircle run`) keeps its SQLite files; distributed mode writes nothing here.
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin carecircle \
    && mkdir -p /app/var/data \
    && chown -R carecircle:carecircle /app
WORKDIR /app
USER 10001

# 8000: `carecircle serve`; 9100: --metrics-port of consumers and relays.
EXPOSE 8000 9100

CMD ["carecircle", "--help"]
