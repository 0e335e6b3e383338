# Multi-stage build: compile with the full Rust image (which has the C toolchain, perl and make
# that the bundled SQLite, libpq and OpenSSL need), run from a slim image as a non-root user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs clippy.toml ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY data ./data
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/trilateral --create-home trilateral
COPY --from=build /src/target/release/trilateral /usr/local/bin/trilateral
USER trilateral
WORKDIR /var/lib/trilateral
VOLUME ["/var/lib/trilateral"]
ENV TRILATERAL_BIND=0.0.0.0:8080 \
    TRILATERAL_DATABASE_URL=/var/lib/trilateral/trilateral.db \
    TRILATERAL_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["trilateral", "healthcheck"]
ENTRYPOINT ["trilateral"]
CMD ["serve"]
