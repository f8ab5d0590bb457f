# unsafe-fixes
FROM node:22-slim
COPY . /app
ENTRYPOINT node server.js
CMD node server.js --port "8080" --name 'my app'
# A variable needs the shell: left alone.
HEALTHCHECK CMD curl -f http://localhost:$PORT/ || exit 1
