//! Rate limits per client address: a sustained rate and a burst (GCRA, `governor`), answered over
//! the limit with a 429 problem and `Retry-After`. Every limited answer, refused or not, tells the
//! client where it stands with `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
//! (IETF draft "RateLimit header fields for HTTP").
//!
//! The client is the import key a request presents, when it is one the service is configured
//! with (a pipeline keeps its limit whatever address it comes from); otherwise the peer address
//! of the connection, an IPv6 client by its /64, the block one host is given. Requests from
//! loopback are not limited unless configured (a proxy in front of the
//! service arrives from there, and limits by itself). The probes and `/metrics` are never
//! limited: orchestrators and scrapers must always get through. Each replica counts the requests
//! it serves: the service keeps no state beyond this soft, per-process count.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName};
use actix_web::middleware::Next;
use actix_web::web::Data;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::AppState;
use crate::error::{ApiError, ProblemType};

pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// The paths that are never limited.
pub const UNLIMITED_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// How many client addresses the limiter tracks before it forgets those that are back to a full
/// burst (which is what it would assume of an address it has never seen).
const FORGET_ABOVE_CLIENTS: usize = 10_000;

/// Who a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// The name of a configured import key.
    Key(Arc<str>),
    /// An address (an IPv6 one by its /64).
    Address(IpAddr),
}

type Limiter =
    RateLimiter<Client, DefaultKeyedStateStore<Client>, DefaultClock, StateInformationMiddleware>;

/// The limits of one process, or none.
pub struct RateLimits {
    limiter: Option<Limiter>,
    burst: u32,
    per_second: u32,
    limit_loopback: bool,
}

/// Where a client stands after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Admitted, with this many further requests allowed at once.
    Admitted { remaining: u32, full_in: Duration },
    /// Refused: the next request is admitted after this long.
    Refused { retry_after: Duration },
}

impl RateLimits {
    /// `per_second` sustained with bursts of `burst`; a `per_second` of 0 turns limits off.
    pub fn new(per_second: u32, burst: u32, limit_loopback: bool) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>()
        });
        Self {
            limiter,
            burst: burst.max(1),
            per_second,
            limit_loopback,
        }
    }

    /// No limits.
    pub fn off() -> Self {
        Self::new(0, 1, false)
    }

    /// Counts a request from `peer`, presenting the import key `key` names if any, against its
    /// limit; `None` if the request is not limited. `key` is asked only for a limited request
    /// (finding a key's name hashes it).
    pub fn check<'k>(
        &self,
        peer: IpAddr,
        key: impl FnOnce() -> Option<&'k str>,
    ) -> Option<Standing> {
        let limiter = self.limiter.as_ref()?;
        if peer.is_loopback() && !self.limit_loopback {
            return None;
        }
        let key = match key() {
            Some(name) => Client::Key(name.into()),
            None => Client::Address(client_address(peer)),
        };
        if limiter.len() > FORGET_ABOVE_CLIENTS {
            limiter.retain_recent();
        }
        Some(match limiter.check_key(&key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = self.burst.saturating_sub(remaining);
                Standing::Admitted {
                    remaining,
                    full_in: Duration::from_secs_f64(
                        f64::from(missing) / f64::from(self.per_second.max(1)),
                    ),
                }
            }
            Err(not_until) => Standing::Refused {
                retry_after: not_until.wait_time_from(limiter.clock().now()),
            },
        })
    }

    /// The `RateLimit-*` fields (and `Retry-After` when refused) of an answer to a client that
    /// stands so.
    fn describe(&self, standing: Standing, headers: &mut HeaderMap) {
        let (remaining, reset) = match standing {
            Standing::Admitted { remaining, full_in } => (remaining, full_in),
            Standing::Refused { retry_after } => {
                headers.insert(header::RETRY_AFTER, whole_seconds(retry_after).into());
                (0, retry_after)
            }
        };
        headers.insert(RATELIMIT_LIMIT, self.burst.into());
        headers.insert(RATELIMIT_REMAINING, remaining.into());
        headers.insert(RATELIMIT_RESET, whole_seconds(reset).into());
    }
}

/// Seconds, rounded up: a client that waits that long is admitted.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// The address a client is counted by: an IPv6 address by its /64, the block one host is given
/// (an IPv4 address mapped into IPv6 counts as itself).
fn client_address(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
        v4 => v4,
    }
}

/// Admits the request or answers it with a 429, and tells a limited client where it stands.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let standing = req
        .app_data::<Data<AppState>>()
        .cloned()
        .filter(|_| !UNLIMITED_PATHS.contains(&req.path()))
        .and_then(|state| {
            let peer = req.peer_addr()?.ip();
            let key = || {
                req.headers()
                    .get(header::AUTHORIZATION)
                    .and_then(|value| state.import_keys.name_of(value.as_bytes()))
            };
            Some((state.rate_limits.check(peer, key)?, state))
        });
    let Some((standing, state)) = standing else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    if let Standing::Refused { retry_after } = standing {
        let error = ApiError::new(
            ProblemType::RateLimited,
            format!(
                "This client made more than {} requests at once or {} per second. Retry after \
                 {} seconds.",
                state.rate_limits.burst,
                state.rate_limits.per_second,
                whole_seconds(retry_after)
            ),
        );
        // The error rides on the response (`error_response` keeps it), so that telemetry
        // completes the problem document.
        let mut response = req.error_response(error);
        state.rate_limits.describe(standing, response.headers_mut());
        return Ok(response.map_into_right_body());
    }
    let mut response = next.call(req).await?;
    state.rate_limits.describe(standing, response.headers_mut());
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_admitted_then_the_client_waits_for_the_rate() {
        let limits = RateLimits::new(2, 3, false);
        let client: IpAddr = "192.0.2.7".parse().unwrap();
        let remaining: Vec<_> = (0..3)
            .map(|_| match limits.check(client, || None) {
                Some(Standing::Admitted { remaining, .. }) => remaining,
                other => panic!("admitted within the burst, got {other:?}"),
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        match limits.check(client, || None) {
            Some(Standing::Refused { retry_after }) => {
                assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_millis(500));
            }
            other => panic!("refused over the burst, got {other:?}"),
        }
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert!(matches!(
            limits.check(other, || None),
            Some(Standing::Admitted { remaining: 2, .. })
        ));
    }

    #[test]
    fn loopback_is_limited_only_when_configured_and_zero_turns_limits_off() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(RateLimits::new(1, 1, false).check(loopback, || None), None);
        assert!(
            RateLimits::new(1, 1, true)
                .check(loopback, || None)
                .is_some()
        );
        assert_eq!(
            RateLimits::off().check("192.0.2.7".parse().unwrap(), || None),
            None
        );
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_block() {
        let limits = RateLimits::new(1, 1, false);
        assert!(matches!(
            limits.check("2001:db8::1".parse().unwrap(), || None),
            Some(Standing::Admitted { .. })
        ));
        assert!(matches!(
            limits.check("2001:db8::2".parse().unwrap(), || None),
            Some(Standing::Refused { .. })
        ));
        assert!(matches!(
            limits.check("2001:db8:0:1::1".parse().unwrap(), || None),
            Some(Standing::Admitted { .. })
        ));
        assert_eq!(
            client_address("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn a_key_is_counted_apart_from_its_address_and_across_addresses() {
        let limits = RateLimits::new(1, 1, false);
        let (first, second): (IpAddr, IpAddr) = (
            "192.0.2.7".parse().unwrap(),
            "198.51.100.9".parse().unwrap(),
        );
        assert!(matches!(
            limits.check(first, || Some("pipeline")),
            Some(Standing::Admitted { .. })
        ));
        assert!(matches!(
            limits.check(second, || Some("pipeline")),
            Some(Standing::Refused { .. })
        ));
        assert!(matches!(
            limits.check(first, || None),
            Some(Standing::Admitted { .. })
        ));
        assert!(matches!(
            limits.check(first, || Some("feeds")),
            Some(Standing::Admitted { .. })
        ));
    }

    #[test]
    fn waits_are_told_in_whole_seconds_rounded_up() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
    }
}
