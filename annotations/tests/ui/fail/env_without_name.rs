use flowdoc_annotations::event_producer;

pub struct OrderPlaced;

#[event_producer(OrderPlaced, to = env())]
async fn publish() {}

fn main() {}
