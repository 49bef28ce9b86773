//! `Admin.describeConfigs` as a [`Simulation`] method: a DescribeConfigs
//! request from the admin pseudo-node to one broker, as `KafkaAdminClient`
//! sends it (a broker's own configs to that broker; topics and the cluster
//! default to any broker, here the one the caller names).

use crate::error::KafkaError;
use crate::protocol::{ConfigResource, DescribedConfigs, Message};
use crate::types::NodeId;

use super::group_admin::{GroupAdminError, GroupAdminResult};
use super::Simulation;
use crate::sim::group_admin::DEFAULT_API_TIMEOUT_MS;

impl Simulation {
    /// DescribeConfigs of `resource`, asked of broker `to`. A broker that is
    /// down (or never answers) makes the call time out
    /// (`Timed out waiting for a node assignment. Call: describeConfigs`).
    pub fn describe_configs(&mut self, to: NodeId, resource: ConfigResource) -> GroupAdminResult<DescribedConfigs> {
        let deadline = self.now + DEFAULT_API_TIMEOUT_MS;
        let answer = self.admin_request(to, deadline, |request_id| Message::DescribeConfigs {
            request_id,
            resource,
        });
        match answer {
            Some(Message::DescribeConfigsResponse { result: Ok(c), .. }) => Ok(c),
            Some(Message::DescribeConfigsResponse {
                result: Err((e, m)), ..
            }) => Err(GroupAdminError::Kafka(e, m)),
            _ => {
                // The AdminClient waits out its default.api.timeout.ms.
                if self.now < deadline {
                    let rest = deadline - self.now;
                    self.run_for(rest);
                }
                Err(GroupAdminError::Kafka(
                    KafkaError::RequestTimedOut,
                    "Timed out waiting for a node assignment. Call: describeConfigs".into(),
                ))
            }
        }
    }
}
