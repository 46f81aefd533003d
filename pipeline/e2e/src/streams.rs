//! A reader of a table's stream through the DynamoDB Streams API: every shard, from where the
//! reader started, each record once.
//!
//! The harness has two: the event source mapping's, which hands records to the function, and an
//! observer's, which sees what each invocation wrote to the table. DynamoDB Streams serves both,
//! as it serves Lambda and a second consumer in AWS.

use std::collections::BTreeMap;

use aws_sdk_dynamodbstreams::Client;
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};

/// Where a reader is in each shard.
#[derive(Debug)]
pub struct StreamReader {
    client: Client,
    stream_arn: String,
    start: ShardIteratorType,
    iterators: BTreeMap<String, Option<String>>,
}

impl StreamReader {
    /// A reader of the stream that starts at `start` (`TRIM_HORIZON` or `LATEST`) in each shard.
    pub fn new(client: Client, stream_arn: &str, start: &str) -> StreamReader {
        StreamReader {
            client,
            stream_arn: stream_arn.to_owned(),
            start: ShardIteratorType::from(start),
            iterators: BTreeMap::new(),
        }
    }

    /// The stream's ARN.
    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }

    /// The records written since the last call, by shard, oldest first.
    pub async fn read_new(&mut self) -> Result<Vec<(String, Record)>, String> {
        let error = |error| format!("{}: {}", self.stream_arn, DisplayErrorContext(error));
        let description =
            self.client.describe_stream().stream_arn(&self.stream_arn).send().await.map_err(error)?;
        let shards =
            description.stream_description.and_then(|description| description.shards).unwrap_or_default();
        let mut records = Vec::new();
        for shard in shards.iter().filter_map(|shard| shard.shard_id.clone()) {
            if !self.iterators.contains_key(&shard) {
                let iterator = self
                    .client
                    .get_shard_iterator()
                    .stream_arn(&self.stream_arn)
                    .shard_id(&shard)
                    .shard_iterator_type(self.start.clone())
                    .send()
                    .await
                    .map_err(|error| format!("{}: {}", self.stream_arn, DisplayErrorContext(error)))?;
                self.iterators.insert(shard.clone(), iterator.shard_iterator);
            }
            while let Some(Some(iterator)) = self.iterators.get(&shard) {
                let page = self
                    .client
                    .get_records()
                    .shard_iterator(iterator)
                    .send()
                    .await
                    .map_err(|error| format!("{}: {}", self.stream_arn, DisplayErrorContext(error)))?;
                let page_records = page.records.unwrap_or_default();
                let done = page_records.is_empty();
                records.extend(page_records.into_iter().map(|record| (shard.clone(), record)));
                // A shard that is closed has no next iterator; an open one gives the iterator to
                // come back with when there is more.
                self.iterators.insert(shard.clone(), page.next_shard_iterator);
                if done {
                    break;
                }
            }
        }
        Ok(records)
    }
}
