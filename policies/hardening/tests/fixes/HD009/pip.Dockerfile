FROM python:3.12-slim
RUN pip install -r requirements.txt
RUN python -m pip install --upgrade pip setuptools
