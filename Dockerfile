# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only, as the node user.
# One image for the BFF (the default command) and the example orders-api (docker-compose.yml's
# orders-api service runs examples/orders-api/dist/main.js): it needs only production deps.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the service needs builds native code.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY examples/orders-api ./examples/orders-api
RUN npm run build && npm run orders-api:build && npm prune --omit=dev --ignore-scripts

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/examples/orders-api/dist ./examples/orders-api/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:3000/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node as PID 1 receives SIGTERM directly; the service shuts down gracefully on it.
CMD ["node", "dist/main.js"]
