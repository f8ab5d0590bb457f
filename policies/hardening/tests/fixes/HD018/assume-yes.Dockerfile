FROM fedora:41 AS rpm
RUN dnf install httpd && dnf clean all
FROM opensuse/leap:15.6 AS suse
RUN zypper install curl
FROM debian:bookworm-slim
RUN apt-get update && apt-get install --no-install-recommends curl
RUN apt-get update && \
    apt-get install --no-install-recommends git
