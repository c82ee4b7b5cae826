FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds against Node's headers when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY manifests ./manifests
RUN npm run build && npm prune --omit=dev
# HOST=0.0.0.0: inside a container 127.0.0.1 would be unreachable; set API_TOKEN (compose refuses to start without it).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=7000 DOWNLOAD_DIR=/data/downloads CACHE_DB_PATH=/data/cache.db
VOLUME /data
EXPOSE 7000 6881/tcp 6881/udp
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:7000/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
