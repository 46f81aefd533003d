use flowdoc_annotations::event_consumer;

pub struct OrderPlaced;

#[event_consumer(OrderPlaced, to = "FulfilmentQueue")]
async fn fulfil() {}

fn main() {}
