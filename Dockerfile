# syntax=docker/dockerfile:1
# ChainOps: one image for every role; choose with the command (bot, worker, all).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY jobs ./jobs
# Compiled JavaScript: no tsx loader at run time (~30 MB less per process, faster start).
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
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
COPY package.json ./
COPY --from=build /app/dist ./dist
# Files the code finds beside it (from the package root): the Ansible callback plugin, example fleets
# and playbooks.
COPY adapters/ansible/callback_plugins/chainops_jsonl.py ./adapters/ansible/callback_plugins/
COPY examples ./examples
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/src/main/cli.js"]
CMD ["all"]
