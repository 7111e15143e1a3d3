# syntax=docker/dockerfile:1
# Two images from one file: the product (the default target; docker-compose.yml picks worker, webhook, setup or
# keys) and, for demos only, the Stark Bank emulator (`--target emulator`), which the product image never carries.

# Node 22 LTS for every stage, so the modules installed in one run in the others. By digest, so a rebuild gets the
# same base: node:22-bookworm-slim's multi-platform index (Node 22.23.2), as docker-library/repo-info lists it.
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:48e4b67d85f87bd551df43704e24d252f56cc5f8e9718841aace50f19948f0f9

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

# The product's dependencies only: the emulator's own are devDependencies.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# The Stark Bank emulator: the product's modules plus its own, and openssl, which makes its TLS certificate.
FROM ${NODE_IMAGE} AS emulator
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /emulator \
  && chown node:node /emulator
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/node_modules/cpf-cnpj-validator ./node_modules/cpf-cnpj-validator
COPY package.json ./
COPY --from=build /app/lib/emulator ./lib/emulator
USER node
# Healthy once it answers over TLS with the certificate it wrote to its data dir.
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=20 \
  CMD ["node", "lib/emulator/healthcheck.js"]
CMD ["node", "lib/emulator/main.js"]

# The product: worker, webhook, setup and the operator CLI (the keys job too); no emulator, no openssl.
FROM ${NODE_IMAGE} AS runtime
RUN mkdir -p /keys && chown node:node /keys
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/lib/workflow-bundle.js
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/lib/src ./lib/src
# The one workflow bundle, tracing interceptors included whether traces are exported or not.
COPY --from=build /app/lib/workflow-bundle*.js ./lib/
USER node
# The worker and the webhook both serve /healthz on their admin port (ADMIN_PORT); one-shot jobs exit first.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "lib/src/healthcheck.js"]
CMD ["node", "--max-old-space-size=384", "--max-semi-space-size=4", "lib/src/worker.js"]
