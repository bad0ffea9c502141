# Build a wheel in one stage, install it in a clean slim image in the next.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY content ./content
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 coach && mkdir /data && chown coach /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER coach
# BOT_TOKEN comes from the environment at run time; nothing secret is baked in.
ENV DATABASE_PATH=/data/cramp-coach.sqlite3 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["cramp-coach"]
