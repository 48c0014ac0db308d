# Flowplane in a container: `docker build -t flowplane .`, then
#   docker run -p 8750:8750 -v flowplane-data:/var/lib/flowplane flowplane          (SQLite)
#   docker run -p 8750:8750 -e FLOWPLANE_DATABASE_URL=postgres://… flowplane        (Postgres)
# docker-compose.yml runs two replicas on Postgres.

# --- build -----------------------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin flowplane \
    && strip target/release/flowplane

# --- runtime: Debian's slim image (glibc, as the build), the binary and an unprivileged user ----
FROM debian:bookworm-slim
# The generated HTTPS CA and certificate go beside the SQLite database (/var/lib/flowplane), or
# into FLOWPLANE_TLS_DIR; /var/lib/flowplane/tls exists, owned by the user, for a volume of its own.
RUN useradd --system --no-log-init --uid 10001 --user-group \
        --home-dir /var/lib/flowplane --create-home --shell /usr/sbin/nologin flowplane \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/flowplane/tls
COPY --from=build /src/target/release/flowplane /usr/local/bin/flowplane
USER 10001:10001
WORKDIR /var/lib/flowplane
# Every option is also an environment variable; these make the container listen on all its
# addresses and keep a SQLite database in the data volume unless a Postgres URL is given.
ENV FLOWPLANE_LISTEN=0.0.0.0:8750 \
    FLOWPLANE_DATABASE_URL=sqlite:///var/lib/flowplane/flowplane.db \
    FLOWPLANE_LOG_FORMAT=json
VOLUME ["/var/lib/flowplane"]
# One port: plain HTTP and HTTPS (README, "HTTPS").
EXPOSE 8750
# `flowplane healthcheck` asks GET /_flowplane/health on FLOWPLANE_LISTEN (no curl needed).
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["flowplane", "healthcheck"]
ENTRYPOINT ["flowplane"]
CMD ["serve"]
