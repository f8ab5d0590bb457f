FROM alpine:3.22
ENV APP_HOME /app
RUN echo ok
