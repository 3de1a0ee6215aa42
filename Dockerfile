# syntax=docker/dockerfile:1
# The sightline image: `make image` (docker or podman) builds it.
# Stage 1 builds a static binary; stage 2 is Debian slim with git (the jobs
# run git) and CA certificates (HTTPS remotes, S3, GCS), as a non-root user.
ARG GO_VERSION=1.26
ARG DEBIAN_RELEASE=trixie

FROM golang:${GO_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# As `make build`: go-enry with a lazy package init, goccy/go-json on
# encoding/json (ops/enry) and no gRPC DirectPath/xDS in the GCS client
# (disable_grpc_modules), so that every command starts in a few ms.
RUN go run ./ops/enry -out /tmp/enry \
 && CGO_ENABLED=0 go build -modfile=/tmp/enry/go.mod -tags=disable_grpc_modules -trimpath -buildvcs=false -ldflags='-s -w' -o /out/sightline .

FROM debian:${DEBIAN_RELEASE}-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 sightline \
 && useradd --uid 65532 --gid 65532 --create-home --home-dir /home/sightline sightline \
 && mkdir /data && chown 65532:65532 /data
COPY --from=build /out/sightline /usr/local/bin/sightline
# The binary can start a private Postgres when DATABASE_URL is unset, but the
# image has no Postgres: in a container, always set DATABASE_URL.
ENV SIGHTLINE_DATA_DIR=/data \
    SIGHTLINE_LOG_FORMAT=json
VOLUME /data
WORKDIR /home/sightline
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/sightline"]
CMD ["--help"]
