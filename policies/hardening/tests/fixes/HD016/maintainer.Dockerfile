FROM alpine:3.22
MAINTAINER Jane Doe <jane@example.com>
maintainer "ops team"
# A dollar sign MAINTAINER keeps as written; a label would expand it: left alone.
MAINTAINER $USER
RUN true
