# session-ttl-bot: the Slack bot (HTTP mode on :3000, or Socket Mode when SLACK_APP_TOKEN is set).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production SESSION_TTL_CONFIG=/etc/session-ttl/session-ttl.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY manifests/demo ./manifests/demo
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
