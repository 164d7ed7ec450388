# kg serve in a container: the `web` service of docker-compose.yml (`docker compose -p kg up -d --wait`
# builds it), or by hand:  docker build -t kg/web:local .
#
# At the root of the checkout, beside .dockerignore, because the context must be the checkout (the
# wheel is made from pyproject.toml, README.md, kg/, cypher/, seed/ and docs/browser/) and the
# legacy builder of Docker 20.10 (Debian's, which kg's tests run) reads .dockerignore only from the
# context's root; .dockerignore sends only those files (never .kg/, .env, .venv/ or .git/).
#
# Users: the official Python image, and kg with its dependencies from PyPI. kg's Docker tests
# (tests/docker/build-images) build this same file offline: BASE_IMAGE is a Debian root file system
# with python3 and python3-venv, the context a folder of wheels made on the host, and PIP_INSTALL
# "--no-index --find-links /src/wheels kg".
ARG BASE_IMAGE=python:3.12-slim

# kg and its dependencies in a virtual environment; only the environment goes on to the image
FROM ${BASE_IMAGE} AS build
ARG PIP_INSTALL=/src
COPY . /src
RUN python3 -m venv /opt/kg \
 && /opt/kg/bin/python -m pip install --no-cache-dir --disable-pip-version-check --no-warn-script-location \
      ${PIP_INSTALL}

FROM ${BASE_IMAGE}
COPY --from=build /opt/kg /opt/kg
# kg runs as a user of its own, in an empty folder: no project there, so kg reads the questions and
# the seed installed with it, and takes its settings from the environment (NEO4J_URI, NEO4J_USERNAME,
# NEO4J_PASSWORD; never an option, so the password stays off every command line)
RUN useradd --system --user-group --create-home --home-dir /home/kg --shell /usr/sbin/nologin kg
ENV PATH=/opt/kg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1
USER kg
WORKDIR /home/kg
EXPOSE 8000
LABEL org.opencontainers.image.title="kg serve: the knowledge graph on the web, read-only"
# 0.0.0.0 is the container's own address; docker-compose.yml publishes the port on 127.0.0.1 only
CMD ["kg", "serve", "--host", "0.0.0.0", "--port", "8000"]
