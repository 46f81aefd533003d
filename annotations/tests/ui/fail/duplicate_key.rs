use flowdoc_annotations::event_producer;

pub struct OrderPlaced;

#[event_producer(OrderPlaced, to = "OrdersTable", to = "OrderEvents")]
async fn create_order() {}

fn main() {}
