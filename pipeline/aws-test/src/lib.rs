//! A moto server for the tests of the pipeline's AWS SDK adapters, and the SDK configuration
//! that talks to it.
//!
//! [`Moto::start`] uses `AWS_ENDPOINT_URL` when it is set (a moto, LocalStack or other emulator
//! that is already running) and otherwise starts `.venv/moto-5.2.6/bin/moto_server` on a free
//! local port, waits until it answers and stops it when dropped. Without moto the tests fail and
//! say how to install it; they never skip.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sqs::config::{Credentials, SharedCredentialsProvider};

/// The moto version `.ci/run` installs, and its folder under `.venv/`.
pub const MOTO_VENV: &str = ".venv/moto-5.2.6";

/// The region the tests' resources live in.
pub const REGION: &str = "eu-west-1";

/// A running moto server, or the emulator `AWS_ENDPOINT_URL` names.
#[derive(Debug)]
pub struct Moto {
    endpoint: String,
    child: Option<Child>,
}

impl Moto {
    /// The emulator of `AWS_ENDPOINT_URL`, or a moto server of our own.
    ///
    /// # Panics
    ///
    /// When moto is not installed (the message says how to install it), or does not answer
    /// within 30 seconds.
    pub fn start() -> Moto {
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL")
            && !endpoint.is_empty()
        {
            return Moto { endpoint, child: None };
        }
        let server = workspace_root().join(MOTO_VENV).join("bin/moto_server");
        assert!(
            server.exists(),
            "{} is missing: these tests need moto's server mode. Install it from the repository \
             root with\n  python3 -m venv {MOTO_VENV} && {MOTO_VENV}/bin/pip install \
             'moto[server]==5.2.6'\n(or set AWS_ENDPOINT_URL to an emulator that is running)",
            server.display()
        );
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", server.display()));
        let moto = Moto { endpoint: format!("http://127.0.0.1:{port}"), child: Some(child) };
        moto.wait_until_it_answers(port);
        moto
    }

    /// The endpoint URL the clients talk to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The SDK configuration for the emulator: its endpoint, region `eu-west-1` and dummy
    /// credentials, set here rather than through the process's environment.
    pub fn sdk_config(&self) -> SdkConfig {
        let credentials = Credentials::new("testing", "testing", None, None, "moto");
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build()
    }

    fn wait_until_it_answers(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if answers(port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not answer on port {port} within 30 seconds");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // The server may have died already; there is nothing left to do then.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port nothing listens on now: bind port 0, read what the system picked, let it go.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("the bound address").port()
}

/// Whether an HTTP server answers on the port.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
