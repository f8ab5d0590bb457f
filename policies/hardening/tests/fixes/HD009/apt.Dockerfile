# unsafe-fixes
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
# A comment in the script would swallow the cleanup: left alone.
RUN apt-get update && apt-get install -y --no-install-recommends git # tools
