# syntax=docker/dockerfile:1
# One image for every app service (worker, webhook, setup, emulator, keys); docker-compose.yml picks the command.

# Node 22 LTS for every stage, so the modules installed in one run in the others.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY emulator ./emulator
COPY tools ./tools
# TypeScript to lib/src/*.js, and the workflow bundle prebuilt so workers start without webpack.
RUN npm run build && npm run build:bundle -- lib/workflow-bundle.js

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# openssl: the emulator makes its TLS certificate with it, and the keys service the demo project's key pair.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /keys /emulator \
  && chown node:node /keys /emulator
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/lib/workflow-bundle.js
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/lib ./lib
USER node
CMD ["node", "--max-old-space-size=384", "--max-semi-space-size=4", "lib/src/worker.js"]
