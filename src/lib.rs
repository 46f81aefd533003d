//! flowdoc: makes the event flow of a serverless system visible.
