# wasm-rnn serve in a container: the model server on the Open Inference Protocol (see docs/serving.md,
# "Deployment and scaling out"). Build: docker build -t wasm-rnn . ; run: docker run -p 8000:8000 -v $PWD/my-model:/models/model wasm-rnn
# The first stage builds the package (the wasm kernels and dist/, which need the dev dependencies);
# the second holds only what serving runs.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build:wasm && npm run build:ts

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/build ./build
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:8000/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "dist/cli/main.js", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--model", "/models/model", "--name", "model"]
