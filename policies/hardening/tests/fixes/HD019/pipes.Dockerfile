# unsafe-fixes
FROM debian:bookworm-slim AS fetch
RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
RUN wget -qO- https://example.com/key | gpg --dearmor > /usr/share/keyrings/example.gpg

FROM alpine:3.22 AS bash-shell
SHELL ["/bin/bash", "-c"]
RUN curl -fsSL https://example.com/x | sh
# No bash known in this image: left alone.
FROM alpine:3.22
RUN curl -fsSL https://example.com/y | sh
