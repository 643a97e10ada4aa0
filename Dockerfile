# session-ttl-bot: the Slack bot with the session monitor and /metrics on :3000 (HTTP mode, or Socket Mode
# when SLACK_APP_TOKEN is set). `session-ttl monitor` (args: dist/cli.js monitor) runs the monitor without Slack.
# test/manifests/dockerfile.test.ts follows these steps in a temporary folder (no container engine needed).

# 1. build: every dependency (TypeScript), compile src/ to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. deps: production dependencies only, from the lock file (no install scripts run).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# 3. run: Node alone (no npm, no shell, no compiler), as the distroless non-root user (65532).
FROM gcr.io/distroless/nodejs20-debian12:nonroot
ENV NODE_ENV=production SESSION_TTL_CONFIG=/etc/session-ttl/session-ttl.yaml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY manifests/demo ./manifests/demo
USER 65532:65532
EXPOSE 3000
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["dist/main.js"]
