# syntax=docker/dockerfile:1
# The API image: built and pruned in one stage, run as the unprivileged `node` user in another.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build \
 && npm run build:dashboard \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The dashboard and GraphiQL (static files the api serves at /dashboard/ and GET /graphql).
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
# The CLI entry (node bin/ledger.js …) runs the compiled CLI in dist/.
COPY --from=build /app/bin ./bin
# The plan YAML files, at their repository path and as ./plans.
COPY --from=build /app/libs/plan/plans ./libs/plan/plans
# Read models (and the embedded event store when no EventStoreDB is configured) live in /data.
RUN ln -s libs/plan/plans plans \
 && mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=64", "dist/apps/api/src/main.js"]
