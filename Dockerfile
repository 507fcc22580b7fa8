# Stagegate: multi-stage build, runs as a non-root user with `npm start`.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY test ./test
COPY bench ./bench
COPY console ./console
COPY scripts ./scripts
RUN npm run typecheck

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/var/lib/stagegate \
    PROCESSES_DIR=/app/processes
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY processes ./processes
COPY bin ./bin
COPY console ./console
COPY scripts ./scripts
# The web console and the server are bundled at build time (npm start's prestart then finds them fresh).
RUN npm run build:console && npm run build:server
RUN mkdir -p /var/lib/stagegate && chown node:node /var/lib/stagegate
USER node
EXPOSE 3000
VOLUME ["/var/lib/stagegate"]
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start"]
