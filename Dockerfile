# syntax=docker/dockerfile:1
# The Zing relay as a container: `docker compose up` (docker-compose.yml) runs two
# of these behind nginx, with Redis between them and coturn beside them.
#
# Build stage: the full toolchain. `npm run build` writes dist/web (the call page
# the relay serves to guests at /r/<room>) and the extension builds; `build:relay`
# bundles relay/*.ts into one ES module, dist/relay.mjs, with the npm packages
# left as imports. Compiling here keeps tsx and esbuild (dev tools, and a native
# binary) out of the runtime image, and the relay starts without compiling
# TypeScript on every start.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The relay URL the extension builds default to (the options page can change it).
ARG ZING_RELAY_URL=http://127.0.0.1:8080
RUN ZING_RELAY_URL="$ZING_RELAY_URL" npm run build && npm run build:relay

# Runtime stage: production dependencies only, run as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    ZING_WEB_DIR=/app/dist/web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/relay.mjs ./dist/relay.mjs
COPY --from=build /app/dist/web ./dist/web
USER node
EXPOSE 8787
# The slim image has no curl: Node's own fetch asks /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1 is fine: relay/main.ts handles SIGTERM itself (1001 to every socket, then exit 0).
# --max-semi-space-size: relay/node-flags.ts says why.
CMD ["node", "--max-semi-space-size=32", "dist/relay.mjs"]
