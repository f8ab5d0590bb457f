# unsafe-fixes
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN apt-get install -y git && apt-get install -y make
RUN apt-get update \
 && apt-get install -y jq
