# syntax=docker/dockerfile:1
# nodelink-broker image, with nodelinkctl beside it (the healthcheck uses it).
#
#   docker build -f deploy/docker/broker.Dockerfile -t nodelink/broker .   (from the repository root)
#
# Two stages. "build" is the same in all four Dockerfiles of this directory,
# line for line, so Docker's layer cache compiles the tree once for all images
# (tests/integration/test_deploy_docker.py keeps them identical). The final
# stage is debian:bookworm-slim with only the shared libraries the binaries
# link (that test checks the list against ldd of the built binaries) and an
# unprivileged user with a fixed uid, so files in volumes (certificates) have
# a predictable owner across images.
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
COPY --from=build /build/bin/nodelink-broker /build/bin/nodelinkctl /usr/local/bin/
USER nodelink
EXPOSE 5555 5556 5557 5558
ENTRYPOINT ["nodelink-broker"]
CMD ["--config", "/etc/nodelink/broker.yaml"]
