# The Safeguard image (production shape; see docker-compose.yml): the worker by default, the API with `safeguard serve`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY projections projections
COPY eventstore eventstore
COPY casework casework
COPY cli cli
COPY configuration configuration
COPY simulation simulation
COPY operations operations
COPY evidence evidence
COPY encryption encryption
COPY alerts alerts
COPY telemetry telemetry
COPY web web
COPY worker.py bootstrap.py ./
RUN pip install --no-cache-dir .
USER nobody
CMD ["python", "-m", "worker"]
