FROM alpine:3.22
ENV PATH /opt/tool/bin:$PATH
LABEL maintainer Jane Doe
ENV GREETING "hello world"
ENV EMPTY_OK=1 OTHER=2
