//! The integration tests: one binary, one module per area, shared helpers in `util`.
//! Regression tests are named after the issue they close (`issue_N_...`).

mod contacts_oracle;
mod import;
mod queries;
mod schema;
mod util;
