# syntax=docker/dockerfile:1
# nodelink-gateway image: the HTTP API, SSE, Prometheus endpoint and the
# browser dashboard.
#
#   docker build -f deploy/docker/gateway.Dockerfile -t nodelink/gateway .   (from the repository root)
#
# Three stages: "build" (the same in all four Dockerfiles of this directory:
# one compile, shared through the layer cache), "web" (the dashboard, built
# with npm from gateway/web/ and served by the gateway from
# /usr/share/nodelink/web), and the final debian:bookworm-slim stage with the
# gateway's shared libraries and an unprivileged user (uid 10001). The image
# also carries the certificate and token tools (nodelink-keygen,
# nodelink-gateway-token, nodelink-certs): compose's one-shot "certs" service
# runs from it.
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler libmicrohttpd-dev \
      libjansson-dev libhiredis-dev libcyaml-dev libsodium-dev libsqlite3-dev libzstd-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DNODELINK_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" \
 && strip /build/bin/*

FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY gateway/web/package.json gateway/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY gateway/web/ ./
RUN npm run build

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libzmq5 libczmq4 libprotobuf-c1 libcyaml1 libjansson4 libhiredis0.14 libmicrohttpd12 libsodium23 libzstd1 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nodelink \
 && useradd --system --uid 10001 --gid nodelink --home-dir /var/lib/nodelink --shell /usr/sbin/nologin nodelink \
 && install -d -o nodelink -g nodelink -m 0750 /var/lib/nodelink /etc/nodelink/certs
COPY --from=build /build/bin/nodelink-gateway /build/bin/nodelink-gateway-token /build/bin/nodelink-keygen /usr/local/bin/
COPY deploy/docker/nodelink-healthcheck deploy/docker/nodelink-certs /usr/local/bin/
COPY --from=web /web/dist/ /usr/share/nodelink/web/
USER nodelink
EXPOSE 8080
ENTRYPOINT ["nodelink-gateway"]
CMD ["--config", "/etc/nodelink/gateway.yaml"]
