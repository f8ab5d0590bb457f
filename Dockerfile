# syntax=docker/dockerfile:1
# tallyman's own image:
#   docker build -t tallyman .
#   docker run --rm -v "$PWD:/src" tallyman scan .
#
# Both stages start from ubuntu:24.04 pinned by digest. The digest comes from
# jupyter/docker-stacks' images/docker-stacks-foundation/Dockerfile (in the
# shared corpus of real Dockerfiles, where Dependabot keeps it current); it
# was copied from there, not resolved against the registry, as this file was
# written without access to one. Refresh it before relying on it:
#   tallyman fix --pin-digests Dockerfile

FROM ubuntu:24.04@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea AS build
# rustup installs the toolchain rust-toolchain.toml pins, with the
# wasm32-wasip2 target the built-in policies are compiled to.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev rustup \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/root/.cargo/bin:$PATH
RUN rustup toolchain install 1.95.0 --profile minimal --target wasm32-wasip2
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --release -p tallyman \
    && cp target/release/tallyman /usr/local/bin/tallyman

FROM ubuntu:24.04@sha256:561618e2c15bf2397621dd04f96926663a3b5616c189cf7e38db7e82f5c538ea
LABEL org.opencontainers.image.title="tallyman" \
      org.opencontainers.image.description="Policy-as-code for container builds" \
      org.opencontainers.image.source="https://github.com/tallyman-dev/tallyman" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin tallyman
COPY --from=build /usr/local/bin/tallyman /usr/local/bin/tallyman
# The compiled-policy and result caches: somewhere any user can write, as
# the image also runs as the invoking user (pre-commit's docker hooks).
ENV TALLYMAN_CACHE_DIR=/tmp/tallyman-cache
USER 10001:10001
WORKDIR /src
# A command-line tool, not a service: there is nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["tallyman"]
CMD ["scan", "."]
