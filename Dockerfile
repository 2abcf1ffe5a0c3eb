# syntax=docker/dockerfile:1
# Build stage: compiles TypeScript and the better-sqlite3 addon.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs "prepare" (tsc) only once the sources are present, so install scripts first, sources after.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY licensing ./licensing
COPY protocol ./protocol
COPY db ./db
COPY sync ./sync
COPY server ./server
COPY agent ./agent
COPY scripts ./scripts
COPY web ./web
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled output and production dependencies.
FROM node:20-bookworm-slim
ENV NODE_ENV=production SATELLITE_DATA_DIR=/var/lib/satellite SATELLITE_PORT=8443
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/satellite && chown node:node /var/lib/satellite
USER node
VOLUME ["/var/lib/satellite"]
EXPOSE 8443
# Knocks where serve really listens (it writes <data>/listening.json after binding, whatever --port or
# SATELLITE_HOST say) and verifies the certificate against the satellite's own root CA.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s CMD ["node", "dist/scripts/satellite.js", "healthcheck"]
# node directly, not npm start: no npm lifecycle (prestart would try to build), and signals reach the process.
ENTRYPOINT ["node", "dist/scripts/satellite.js"]
CMD ["serve"]
