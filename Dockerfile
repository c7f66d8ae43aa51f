# One image for the API process (with the dashboard), the migration step and ingestion jobs.
# The dashboard is built in a Node stage; only its static files reach the final image.
FROM node:20-slim AS dashboard
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY backend ./backend
COPY alembic ./alembic
COPY --from=dashboard /frontend/dist ./frontend/dist
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 aspm
USER aspm
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health')"
CMD ["aspm", "serve", "--host", "0.0.0.0", "--port", "8000"]
