# syntax=docker/dockerfile:1
# nodelink-store image.
#
#   docker build -f deploy/docker/store.Dockerfile -t nodelink/store .   (from the repository root)
#
# The "build" stage is the same in all four Dockerfiles of this directory (one
# compile, shared through the layer cache); the final stage is
# debian:bookworm-slim with the store's shared libraries and an unprivileged
# user (uid 10001, as in every nodelink image).
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

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libzmq5 libczmq4 libprotobuf-c1 libcyaml1 libjansson4 libhiredis0.14 libzstd1 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nodelink \
 && useradd --system --uid 10001 --gid nodelink --home-dir /var/lib/nodelink --shell /usr/sbin/nologin nodelink \
 && install -d -o nodelink -g nodelink -m 0750 /var/lib/nodelink /etc/nodelink/certs
COPY --from=build /build/bin/nodelink-store /usr/local/bin/
COPY deploy/docker/nodelink-healthcheck /usr/local/bin/
USER nodelink
ENTRYPOINT ["nodelink-store"]
CMD ["--config", "/etc/nodelink/store.yaml"]
