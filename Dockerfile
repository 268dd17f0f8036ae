# syntax=docker/dockerfile:1
# ChainOps: one image for every role; choose with the command (bot, worker, all).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; tsx runs the TypeScript sources, so there is no build step.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CHAINOPS_CONFIG=/etc/chainops/chainops.yaml \
    PORT=3000
# Workers run Ansible and Terraform against your hosts; the bot needs neither. Add them in a
# derived image (ansible-core, openssh-client, terraform) when you run `worker` here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY jobs ./jobs
COPY examples ./examples
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/chainops.js"]
CMD ["all"]
