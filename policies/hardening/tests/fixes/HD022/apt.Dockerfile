# unsafe-fixes
FROM debian:bookworm-slim
RUN apt update && apt install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt -y upgrade
# `apt list` has no apt-get twin: left alone.
RUN apt list --installed
