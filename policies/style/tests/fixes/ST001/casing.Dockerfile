FROM alpine:3.22
RUN apk add --no-cache curl
run echo hello
Copy . /app
  entrypoint ["curl"]
