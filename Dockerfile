# orgraph: one image for the CLI, the API and the dashboard.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ORGRAPH_DATA_DIR=/data

RUN useradd --create-home --uid 10001 orgraph && mkdir -p /data && chown orgraph /data
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
COPY cypher ./cypher
COPY api ./api
COPY dashboard ./dashboard
# the versions CI tested (constraints.txt); the dev tools it also pins are not installed here
RUN pip install --no-cache-dir -c constraints.txt .

USER orgraph
VOLUME ["/data"]
ENTRYPOINT ["orgraph"]
CMD ["--help"]
