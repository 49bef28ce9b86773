//! Scripted cluster scenarios: what Kafka shows when brokers die, networks split
//! and producers push. Each runs natively and in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod support;

mod broker_down_rf1_loses_half;
mod broker_restarts;
mod consumer_groups;
mod controller_failover;
mod determinism;
mod dynamic_broker_configs;
mod group_admin;
mod group_coordinator_failover;
mod lost_writes;
mod min_insync_replicas;
mod offset_delete;
mod partition_reassignment;
mod retention_overtakes_a_lagging_group;
mod rf2_follower_takes_over;
