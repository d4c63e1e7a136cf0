# syntax=docker/dockerfile:1
# nodelink-agent image.
#
#   docker build -f deploy/docker/agent.Dockerfile -t nodelink/agent .   (from the repository root)
#
# The "build" stage is the same in all four Dockerfiles of this directory (one
# compile, shared through the layer cache). The final stage is
# debian:bookworm-slim with the agent's shared libraries. Unlike the other
# images the agent runs as root: reading every process's /proc/<pid>/io and
# the host's /proc and /sys mounted into the container needs it (compose runs
# it with pid: host and the host's /proc and /sys mounted read-only; see
# deploy/docker-compose.yml). nodelink-fleet-agent is the entry point of the
# compose "fleet" profile (an agent id per replica from a pool).
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
      libzmq5 libprotobuf-c1 libcyaml1 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -m 0750 /var/lib/nodelink /etc/nodelink/certs
COPY --from=build /build/bin/nodelink-agent /usr/local/bin/
COPY deploy/docker/nodelink-fleet-agent deploy/docker/nodelink-healthcheck /usr/local/bin/
ENTRYPOINT ["nodelink-agent"]
CMD ["--config", "/etc/nodelink/agent.yaml"]
