use flowdoc_annotations::event_producer;

pub struct OrderPlaced;

#[event_producer(OrderPlaced, function = "OrderApiFunction")]
async fn create_order() {}

fn main() {}
