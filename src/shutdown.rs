//! Stopping the server on SIGTERM or SIGINT without losing a request it has begun to read.
//!
//! actix-server stops gracefully on SIGTERM only (SIGINT resets every connection), and a graceful
//! stop closes the listening socket at once: connections the kernel had already queued on it,
//! whose clients have sent their requests, are reset unread. So the signals are handled here,
//! both the same way:
//!
//! 1. the listening socket stops taking connections (on Linux a socket filter drops new
//!    handshakes, so their clients see a refused connection once the socket closes, and know
//!    nothing was sent), while the connections already queued on it are still accepted;
//! 2. the server stops gracefully: an idle keep-alive connection is closed (a client that then
//!    retries its idempotent request elsewhere loses nothing), and every request already read is
//!    answered, with `Connection: close`, for up to the grace period;
//! 3. what still runs after the grace period is cut: the connection closes without ending its
//!    chunked body, so a cut export never looks complete.
//!
//! A second signal stops at once.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::ServerHandle;

/// How long the connections already queued on the listening socket get to be accepted after it
/// stops taking new ones. The accept loop takes them as soon as they are there; this only has to
/// cover a busy moment.
const QUEUED_CONNECTIONS_WAIT: Duration = Duration::from_millis(250);

/// Which signal asked the server to stop.
#[derive(Debug, Clone, Copy)]
pub enum StopSignal {
    Terminate,
    Interrupt,
}

/// SIGTERM and SIGINT, caught from the moment this is made (until then, either kills the
/// process).
pub struct StopSignals {
    #[cfg(unix)]
    terminate: actix_web::rt::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: actix_web::rt::signal::unix::Signal,
}

impl StopSignals {
    /// Starts catching the signals; call it on the runtime that will wait for them.
    pub fn catch() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use actix_web::rt::signal::unix::{SignalKind, signal};
            Ok(Self {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for the next signal.
    pub async fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            use futures_util::future::{Either, select};
            match select(
                Box::pin(self.terminate.recv()),
                Box::pin(self.interrupt.recv()),
            )
            .await
            {
                Either::Left(_) => StopSignal::Terminate,
                Either::Right(_) => StopSignal::Interrupt,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = actix_web::rt::signal::ctrl_c().await;
            StopSignal::Interrupt
        }
    }
}

/// Stops the server gracefully (steps 1 and 2 above); `listener` is a handle on the server's
/// listening socket, closed here so that the socket closes with the server's own handle. The
/// grace period is the server's shutdown timeout.
pub async fn stop_gracefully(server: ServerHandle, listener: TcpListener) {
    match refuse_new_connections(&listener) {
        Ok(()) => actix_web::rt::time::sleep(QUEUED_CONNECTIONS_WAIT).await,
        Err(e) => {
            tracing::warn!(cause = %e, "the listening socket still takes connections while it closes")
        }
    }
    drop(listener);
    server.stop(true).await;
}

/// Makes the listening socket drop every new handshake, leaving the queued connections in place.
#[cfg(target_os = "linux")]
fn refuse_new_connections(listener: &TcpListener) -> std::io::Result<()> {
    // A classic BPF program of one instruction, `ret #0`: keep no byte of any packet.
    const DROP_EVERY_PACKET: [socket2::SockFilter; 1] = [socket2::SockFilter::new(0x06, 0, 0, 0)];
    socket2::SockRef::from(listener).attach_filter(&DROP_EVERY_PACKET)
}

#[cfg(not(target_os = "linux"))]
fn refuse_new_connections(_listener: &TcpListener) -> std::io::Result<()> {
    Err(std::io::Error::other("socket filters need Linux"))
}

/// Drops a connection whose client has read nothing of an answer for `timeout` (the kernel gives
/// up on it as it would on an unreachable peer), so that a stalled download does not keep its
/// spool and connection forever. Linux only; elsewhere, and with a zero timeout, nothing changes.
pub fn limit_stalled_client(connection: &dyn std::any::Any, timeout: Duration) {
    #[cfg(target_os = "linux")]
    if !timeout.is_zero()
        && let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
        && let Err(e) = socket2::SockRef::from(stream).set_tcp_user_timeout(Some(timeout))
    {
        tracing::warn!(cause = %e, "no stalled-client timeout on a connection");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (connection, timeout);
}
