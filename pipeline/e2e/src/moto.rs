//! A moto server for the tests of the pipeline's AWS SDK adapters, and the SDK configuration
//! that talks to it.
//!
//! [`Moto::start`] uses `AWS_ENDPOINT_URL` when it is set (a moto, LocalStack or other emulator
//! that is already running) and otherwise starts `.venv/moto-5.2.6/bin/moto_server` on a free
//! local port, waits until it answers and stops it when dropped. Without moto the tests fail and
//! say how to install it; they never skip.
//!
//! Every test names its resources with [`unique_name`], so tests can share an emulator (the one
//! `AWS_ENDPOINT_URL` names, say) without meeting each other's tables, topics or identities.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

    /// The mail moto's SES has accepted so far, oldest first, from every account and region: the
    /// `Message` models of service `ses` in moto's model data (`GET /moto-api/data.json`), each
    /// an object with `source`, `destinations` (`ToAddresses`, ...), `subject` and `body`. SES
    /// API v2 records its mail there too.
    ///
    /// # Panics
    ///
    /// When the emulator does not serve moto's model data over plain HTTP (five tries).
    pub fn sent_mail(&self) -> Vec<serde_json::Value> {
        // Moto serialises its models while other requests change them; on an emulator other
        // tests are using, a list that grew in between makes it answer 500. Asking again works.
        let mut attempts = 0;
        let body = loop {
            attempts += 1;
            match self.get("/moto-api/data.json") {
                Ok(body) => break body,
                Err(_) if attempts < 5 => std::thread::sleep(Duration::from_millis(200)),
                Err(error) => panic!("{error}"),
            }
        };
        let mut data: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|error| panic!("moto's model data is not JSON: {error}"));
        match data["ses"]["Message"].take() {
            serde_json::Value::Array(messages) => messages,
            // No mail yet: moto lists a model only once it has made one.
            _ => Vec::new(),
        }
    }

    /// The body of a `GET` of `path` on the emulator, over HTTP/1.0 (one request per
    /// connection, read to its end), so no HTTP client is needed.
    fn get(&self, path: &str) -> Result<Vec<u8>, String> {
        let authority = self
            .endpoint
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("{} is not a plain-HTTP endpoint", self.endpoint))
            .trim_end_matches('/');
        let address = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
        let mut stream = TcpStream::connect(&address)
            .unwrap_or_else(|error| panic!("cannot connect to {address}: {error}"));
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n")
            .unwrap_or_else(|error| panic!("cannot send GET {path}: {error}"));
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap_or_else(|error| panic!("cannot read GET {path}: {error}"));
        let split = response
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("GET {path}: the response has no end of head"));
        let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
        let body = &response[split + 4..];
        if !(head.starts_with("http/1.0 200") || head.starts_with("http/1.1 200")) {
            return Err(format!("GET {path}: {}", head.lines().next().unwrap_or_default()));
        }
        if head.lines().any(|line| line.starts_with("transfer-encoding:") && line.contains("chunked")) {
            Ok(dechunk(body))
        } else {
            Ok(body.to_vec())
        }
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

/// A name no other test uses, in this run or an earlier one against the same emulator:
/// `prefix`, the time and a counter, in the characters every AWS resource name allows.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_nanos());
    format!("{prefix}-{nanos:x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The body of a response in chunked transfer encoding: each chunk's size in hex, its bytes, up
/// to the chunk of size 0.
fn dechunk(mut chunked: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = chunked.windows(2).position(|window| window == b"\r\n").expect("a chunk size line");
        let size_line = String::from_utf8_lossy(&chunked[..line_end]);
        let size_hex = size_line.split(';').next().unwrap_or_default().trim();
        let size =
            usize::from_str_radix(size_hex, 16).unwrap_or_else(|_| panic!("a chunk size: {size_line:?}"));
        if size == 0 {
            return body;
        }
        let start = line_end + 2;
        body.extend_from_slice(&chunked[start..start + size]);
        chunked = &chunked[start + size + 2..];
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
