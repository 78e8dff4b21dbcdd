# syntax=docker/dockerfile:1
# Sonata's container image (README: Deployment). Never built where it was written, which runs no
# container engine: hadolint and tests/unit/test_deployment.py check it.

# The build stage makes Sonata's wheel; pyproject.toml puts templates/ inside it (sonata/templates),
# where the installed package looks for them.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src src
COPY templates templates
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SONATA_DATABASE_URL=sqlite:////data/sonata.db
# The wheel is mounted, not copied, so that it takes no layer of the image.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir /wheels/sonata-*.whl \
    && groupadd --system --gid 10001 sonata \
    && useradd --system --uid 10001 --gid sonata --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin sonata \
    && install --directory --owner=sonata --group=sonata --mode=0700 /data
# A named volume starts with /data's owner and mode; a bind-mounted folder must belong to uid 10001.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "sonata.entrypoints.healthcheck"]
# `docker run IMAGE render KEY_OR_MAC` runs another sonata command.
ENTRYPOINT ["sonata"]
CMD ["serve"]
