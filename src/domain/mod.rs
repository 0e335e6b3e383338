//! Domain types and pure rules: validated codes and the rules that derive facts from them.
//! Nothing here touches the database or HTTP.

pub mod country;
pub mod period;
pub mod search;
pub mod series;
pub mod snippet;
pub mod source;
pub mod treaty;
