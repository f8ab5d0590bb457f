FROM golang:1.23 AS Builder
RUN go build -o /app .
FROM alpine:3.22 as runtime
COPY --from=Builder /app /app
from alpine:3.22 AS Final
COPY --from=runtime /app /app
