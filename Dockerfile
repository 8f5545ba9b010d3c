# The image of every Python service of 零工: gateway, stream worker, projector (the command picks one).
# Built by deploy/compose/compose.yaml; settings come from LINGONG_* environment variables only.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The locked dependencies first (their own layer, rebuilt only when the lock changes), checked against their hashes.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY streams ./streams
COPY projector ./projector
COPY services ./services
COPY web ./web
COPY deploy ./deploy
RUN pip install --no-deps --no-build-isolation . \
    && useradd --system --uid 10001 --home-dir /app lingong

USER lingong
EXPOSE 8080
CMD ["python", "-m", "gateway"]
