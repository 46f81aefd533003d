use flowdoc_annotations::event_consumer;

pub struct OrderPlaced;

trait Fulfil {
    #[event_consumer(OrderPlaced, from = "FulfilmentQueue")]
    fn fulfil(&self);
}

fn main() {}
