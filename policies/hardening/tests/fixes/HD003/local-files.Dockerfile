FROM python:3.12-slim
ADD requirements.txt /app/
  add --chown=app:app src/ /app/src/
# The checksum flag is ADD's own: left alone.
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d ./tool.bin /usr/local/bin/tool
ADD https://example.com/archive.tar.gz /opt/
RUN pip install -r /app/requirements.txt
