//! The pipeline's AWS SDK adapters, each against the emulator's service, in one test binary.

mod dynamo;
mod mail;
mod sns;
mod warehouse;
