//! Checks that the deployment (`template.yaml`) agrees with the code it
//! deploys: binaries, environment variables, queue timings, the bucket
//! notification's prefixes and the least-privilege policies. The checks are
//! the tests in `tests/template.rs`; this library is empty.
