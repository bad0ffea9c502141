# Cramp Coach. Build: docker build -t cramp-coach .
# Run:   docker run -d -e BOT_TOKEN -v cramp-coach-data:/data cramp-coach
# Nothing secret is baked in: BOT_TOKEN and WEBHOOK_SECRET come from the environment at run time.
# tests/test_docker.py runs this file's pip and python commands in a virtual environment.

# A precise tag, so a rebuild gets the same Python and Debian. Both stages use it: the
# virtual environment links to the build stage's Python, which the runtime must have.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# Build stage: wheels of the bot (content/ inside) and of every dependency, then a virtual
# environment from them, so the runtime stage needs neither build tools nor an index.
# constraints.txt pins every dependency to the version that was tested.
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY bot ./bot
COPY content ./content
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .
# --without-pip, installed by the base image's pip: the runtime carries no second pip.
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --no-cache-dir --no-index \
        --find-links /wheels -c constraints.txt cramp-coach

# Runtime stage: the same slim base, the virtual environment, and an unprivileged user.
FROM ${PYTHON_IMAGE}
# A fixed uid, so a volume's or bind mount's owner can be set to match on the host.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin coach \
    && mkdir /data \
    && chown coach:coach /data
COPY --from=build /opt/venv /opt/venv
# PORT is set so /healthz is served in polling mode too: the HEALTHCHECK below asks it.
ENV PATH=/opt/venv/bin:$PATH \
    DATABASE_PATH=/data/cramp-coach.sqlite3 \
    PORT=8080 \
    PYTHONUNBUFFERED=1
WORKDIR /data
# A new named volume copies /data's owner from here, so the bot can write to it.
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "bot.healthcheck"]
# The bot stops cleanly on SIGTERM; give it time with docker stop -t / stop_grace_period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["cramp-coach"]
