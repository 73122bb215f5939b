# syntax=docker/dockerfile:1
# translate on a CPU, slim: the ct2 engine with a converted model, no PyTorch.
#
#   docker build -t translate .
#   translate model convert --model Helsinki-NLP/opus-mt-id-en     # once, on a full install:
#                                                                  # prints the converted folder
#   docker run --rm -v /srv/models/opus-mt-id-en-ct2:/model:ro -v /srv/news:/data \
#       translate run /data/incoming -o /data/english --model /model --skip-existing
#
# The model is mounted read-only (never baked into the image); the container runs as an
# unprivileged user, offline (HF_HUB_OFFLINE=1), and writes only under /data and /tmp.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY translate ./translate
COPY glossaries ./glossaries
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 translate
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001:10001
ENV HF_HUB_OFFLINE=1 \
    TRANSLATE_CACHE=/tmp/translate-cache \
    PYTHONUNBUFFERED=1
VOLUME ["/data", "/model"]
WORKDIR /data
ENTRYPOINT ["translate"]
CMD ["--help"]
