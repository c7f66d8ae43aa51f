# One image for the API processes (with the dashboard), the migration step and the job workers.
# The dashboard is built in a Node stage; the wheel (with the dashboard and the migrations inside,
# see hatch_build.py) in a Python stage; the final image installs the wheel and the locked
# dependencies (uv.lock), and holds no source tree.
FROM node:20-slim AS dashboard
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN npm run build

FROM python:3.11-slim AS wheel
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY pyproject.toml uv.lock README.md alembic.ini hatch_build.py ./
COPY backend ./backend
COPY alembic ./alembic
COPY --from=dashboard /frontend/dist ./frontend/dist
RUN uv build --wheel -o /dist \
  && uv export --frozen --no-dev --no-emit-project --no-hashes -o /dist/requirements.txt

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=wheel /dist /tmp/dist
RUN pip install --no-cache-dir -r /tmp/dist/requirements.txt /tmp/dist/aspm-*.whl \
  && rm -rf /tmp/dist \
  && useradd --system --uid 10001 aspm \
  && mkdir -p /var/lib/aspm/spool && chown -R aspm /var/lib/aspm && chmod 700 /var/lib/aspm/spool
USER aspm
WORKDIR /var/lib/aspm
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health')"
CMD ["aspm", "serve", "--host", "0.0.0.0", "--port", "8000"]
