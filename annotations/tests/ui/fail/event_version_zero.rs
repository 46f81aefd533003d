use flowdoc_annotations::event;

#[event(name = "order.placed", version = 0)]
pub struct OrderPlaced;

fn main() {}
