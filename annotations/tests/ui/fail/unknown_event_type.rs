use flowdoc_annotations::event_producer;

pub struct OrderPlaced;

struct Orders;

impl Orders {
    // A typo in the event type is caught by the compiler, also on a method.
    #[event_producer(OrderPlacd, to = "OrdersTable")]
    async fn create(&self) {}
}

fn main() {}
