//! A small synchronous client of the Chrome DevTools Protocol, for tests that look at pages as a
//! person does: launches headless Chromium, opens one page over a websocket and drives it with
//! real input events, collecting what went wrong on the way.
//!
//! The flow: Chromium starts with `--remote-debugging-port=0` and says on standard error where it
//! listens (`DevTools listening on ws://127.0.0.1:PORT/...`); `PUT /json/new` on that port opens
//! a page and answers with its websocket; over it each command is a JSON message with an `id`,
//! answered by the message with the same `id`, and everything else that arrives is an event.
//! Every wait ends after [`TIMEOUT`] with a panic that says what was awaited.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How long any one wait may take: Chromium's start, a command's answer, a page's load.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What installs Chromium, as `.ci/run` does.
pub const INSTALL: &str = "apt-get update && apt-get install -y chromium";

/// A headless Chromium with a profile of its own, killed when dropped.
#[derive(Debug)]
pub struct Browser {
    child: Child,
    /// `127.0.0.1:PORT`, where its DevTools server listens.
    address: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium (`$CHROMIUM`, else `chromium` on the `PATH`). Without one, `None` and a
    /// note on standard error, unless `FLOWDOC_REQUIRE_CHROMIUM` is set (as `.ci/run` sets it):
    /// then a panic that says how to install it.
    pub fn launch() -> Option<Browser> {
        let program = std::env::var_os("CHROMIUM").unwrap_or_else(|| "chromium".into());
        let profile = tempfile::tempdir().unwrap();
        let spawned = Command::new(&program)
            // CI runs as root, where Chromium's sandbox cannot start.
            .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            // Containers have a small /dev/shm; Chromium crashes when it runs out.
            .args(["--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage"])
            .args(["--hide-scrollbars", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("FLOWDOC_REQUIRE_CHROMIUM").is_none(),
                    "Chromium is required here ({program:?}: {error}); install it: {INSTALL}"
                );
                #[allow(clippy::print_stderr, reason = "says why a test did not run")]
                {
                    let test = std::thread::current().name().unwrap_or("a browser test").to_owned();
                    eprintln!("note: no Chromium ({program:?}); {test} was skipped; install it: {INSTALL}");
                }
                return None;
            }
            Err(error) => panic!("cannot start {program:?}: {error}"),
        };
        // Standard error is read to its end on a thread of its own, so that Chromium never
        // blocks on a full pipe; the lines up to the one that names the port come back here.
        let (lines, received) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + TIMEOUT;
        let mut said = Vec::new();
        let address = loop {
            let line = match received.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => line,
                Err(error) => {
                    let _ = child.kill();
                    panic!(
                        "Chromium did not say where DevTools listens ({error:?}); it said:\n{}",
                        said.join("\n")
                    );
                }
            };
            if let Some(url) = line.strip_prefix("DevTools listening on ws://") {
                break url.split('/').next().unwrap().to_owned();
            }
            said.push(line);
        };
        Some(Browser { child, address, _profile: profile })
    }

    /// Opens a new page on `about:blank`, with the Page, Runtime, Log and Network domains on.
    pub fn new_page(&self) -> Page<'_> {
        let target = self.http("PUT", "/json/new?about:blank");
        let url = target["webSocketDebuggerUrl"].as_str().expect("the new target has a websocket");
        let stream = TcpStream::connect(&self.address).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let (socket, _) = tungstenite::client(url, stream).expect("the websocket handshake");
        let mut page =
            Page { socket, next_id: 0, loads: 0, problems: Vec::new(), requests: Vec::new(), _browser: self };
        for domain in ["Page", "Runtime", "Log", "Network"] {
            page.call(&format!("{domain}.enable"), &json!({}));
        }
        page
    }

    /// The JSON answer of the DevTools server's HTTP endpoint `path`.
    fn http(&self, method: &str, path: &str) -> Value {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.address);
        stream.write_all(request.as_bytes()).unwrap();
        // The server keeps the connection open: the body is as long as its header says.
        let mut reader = BufReader::new(stream);
        let (mut head, mut length) = (String::new(), 0);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or_else(|error| panic!("{method} {path}: {error}"));
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
            if line.trim().is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {head}");
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap_or_else(|error| panic!("{method} {path}: {error}"));
        serde_json::from_slice(&body)
            .unwrap_or_else(|error| panic!("{method} {path}: {error}: {}", String::from_utf8_lossy(&body)))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page of a [`Browser`], and what it has reported since it opened or was last cleared.
#[derive(Debug)]
pub struct Page<'b> {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// How many `Page.loadEventFired` have arrived.
    loads: usize,
    problems: Vec<String>,
    requests: Vec<String>,
    _browser: &'b Browser,
}

impl Page<'_> {
    /// Goes to `url` and waits for its `load` event.
    pub fn navigate(&mut self, url: &str) {
        self.expect_load(|page| {
            let answer = page.call("Page.navigate", &json!({ "url": url }));
            assert!(answer.get("errorText").is_none(), "cannot open {url}: {answer}");
        });
    }

    /// Does `action`, which must make the page load a document, and waits for that `load`.
    pub fn expect_load(&mut self, action: impl FnOnce(&mut Self)) {
        let loads = self.loads;
        action(self);
        self.wait("the page's load event", |page| page.loads > loads);
    }

    /// The value of the JavaScript expression `js`, a promise's once it settles. A thrown
    /// exception is a panic with its text.
    pub fn eval(&mut self, js: &str) -> Value {
        let params = json!({ "expression": js, "returnByValue": true, "awaitPromise": true });
        let answer = self.call("Runtime.evaluate", &params);
        if let Some(exception) = answer.get("exceptionDetails") {
            let text = exception["exception"]["description"].as_str().or(exception["text"].as_str());
            panic!("{js}\nthrew: {}", text.unwrap_or("?"));
        }
        answer["result"].get("value").cloned().unwrap_or(Value::Null)
    }

    /// The value of `js` once it equals `expected`, read again every 10 ms for up to 20 s (less
    /// than [`TIMEOUT`]); the last value read if it never does. For what the page does after an
    /// input event's handler, or at a time of its choosing. `expected` is compared as JSON text,
    /// so it holds no objects (whose keys might come in another order).
    pub fn eval_until(&mut self, js: &str, expected: &Value) -> Value {
        self.eval(&format!(
            "new Promise(resolve => {{
                const expected = JSON.stringify({expected}), end = performance.now() + 20000;
                const poll = () => {{
                    const value = ({js});
                    if (JSON.stringify(value) === expected || performance.now() > end) resolve(value);
                    else setTimeout(poll, 10);
                }};
                poll();
            }})"
        ))
    }

    /// Sets the viewport to `width` × `height` CSS pixels at one device pixel per CSS pixel;
    /// `mobile` also honours the page's `<meta name="viewport">`, as a phone does.
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) {
        let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile });
        self.call("Emulation.setDeviceMetricsOverride", &metrics);
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let answer = self.call("Page.captureScreenshot", &json!({ "format": "png" }));
        let data = answer["data"].as_str().expect("a screenshot");
        data_encoding::BASE64.decode(data.as_bytes()).expect("the screenshot is base64")
    }

    /// The centre of the first element `selector` matches, scrolled into view, in viewport
    /// coordinates; a panic if another element covers that point.
    pub fn centre(&mut self, selector: &str) -> (f64, f64) {
        let found = self.eval(&format!(
            "(() => {{
                const element = document.querySelector({selector});
                if (!element) return 'nothing matches';
                element.scrollIntoView({{ block: 'center', inline: 'center' }});
                const box = element.getBoundingClientRect(), x = box.x + box.width / 2, y = box.y + box.height / 2;
                const top = document.elementFromPoint(x, y);
                return element.contains(top) ? [x, y] : 'covered by ' + (top ? top.outerHTML.slice(0, 200) : 'nothing');
            }})()",
            selector = json!(selector)
        ));
        match found.as_array().map(|xy| (xy[0].as_f64(), xy[1].as_f64())) {
            Some((Some(x), Some(y))) => (x, y),
            _ => panic!("cannot point at {selector}: {found}"),
        }
    }

    /// Moves the mouse to `(x, y)`, as a person does before clicking or to hover.
    pub fn mouse_move(&mut self, (x, y): (f64, f64)) {
        self.call("Input.dispatchMouseEvent", &json!({ "type": "mouseMoved", "x": x, "y": y }));
    }

    /// Moves the mouse to the centre of `selector` and clicks its left button there.
    pub fn click(&mut self, selector: &str) {
        let (x, y) = self.centre(selector);
        self.mouse_move((x, y));
        for kind in ["mousePressed", "mouseReleased"] {
            let event =
                json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 });
            self.call("Input.dispatchMouseEvent", &event);
        }
    }

    /// Presses and releases `key`: `Tab`, `/` or an ASCII letter, which types itself where that
    /// is not prevented.
    pub fn press(&mut self, key: &str) {
        let (code, key_code, text) = match key {
            "Tab" => ("Tab".to_owned(), 9, ""),
            "/" => ("Slash".to_owned(), 191, "/"),
            _ if key.len() == 1 && key.as_bytes()[0].is_ascii_alphabetic() => {
                let upper = key.to_ascii_uppercase();
                (format!("Key{upper}"), u32::from(upper.as_bytes()[0]), key)
            }
            _ => panic!("press knows no key {key:?}"),
        };
        let down = if text.is_empty() { "rawKeyDown" } else { "keyDown" };
        for kind in [down, "keyUp"] {
            let event = json!({ "type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code,
                                "text": if kind == "keyUp" { "" } else { text } });
            self.call("Input.dispatchKeyEvent", &event);
        }
    }

    /// Types `text` key by key into whatever has the focus.
    pub fn type_text(&mut self, text: &str) {
        for key in text.chars() {
            self.press(&key.to_string());
        }
    }

    /// Console errors, uncaught exceptions and error log entries (such as Content Security
    /// Policy violations and failed loads), in the order they came.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// The URLs of the requests sent that are not `file:`, `data:` or `about:`.
    pub fn requests(&self) -> &[String] {
        &self.requests
    }

    /// Forgets the problems and requests seen so far.
    pub fn clear_reports(&mut self) {
        self.problems.clear();
        self.requests.clear();
    }

    /// Sends the command `method` and returns its answer's `result`; an error is a panic.
    pub fn call(&mut self, method: &str, params: &Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket.send(Message::text(message)).unwrap_or_else(|error| panic!("sending {method}: {error}"));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            // Commands go one at a time: the next answer is this one's.
            let mut answer = self.read(method, deadline);
            if answer["id"] == id {
                if let Some(error) = answer.get("error") {
                    panic!("{method} {params}: {error}");
                }
                return answer["result"].take();
            }
        }
    }

    /// Reads messages until `done` holds, for at most [`TIMEOUT`].
    fn wait(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            self.read(what, deadline);
        }
    }

    /// The next message, noting it first if it is an event; a panic past `deadline`.
    fn read(&mut self, what: &str, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        self.socket.get_ref().set_read_timeout(Some(left)).unwrap();
        let message = match self.socket.read() {
            Ok(Message::Text(text)) => serde_json::from_str(&text).unwrap(),
            Ok(_) => Value::Null,
            Err(tungstenite::Error::Io(error))
                if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                panic!("waited {TIMEOUT:?} for {what}")
            }
            Err(error) => panic!("while waiting for {what}: {error}"),
        };
        let params = &message["params"];
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        match message["method"].as_str() {
            Some("Page.loadEventFired") => self.loads += 1,
            Some("Runtime.consoleAPICalled") if params["type"] == "error" => {
                let args: Vec<String> = params["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|arg| arg.get("value").map_or_else(|| text(&arg["description"]), |v| v.to_string()))
                    .collect();
                self.problems.push(format!("console.error: {}", args.join(" ")));
            }
            Some("Runtime.exceptionThrown") => {
                let details = &params["exceptionDetails"];
                let description = text(&details["exception"]["description"]);
                let url = text(&details["url"]);
                self.problems.push(format!("uncaught: {} {description} ({url})", text(&details["text"])));
            }
            Some("Log.entryAdded") if params["entry"]["level"] == "error" => {
                let entry = &params["entry"];
                self.problems.push(format!(
                    "log ({}): {} ({})",
                    text(&entry["source"]),
                    text(&entry["text"]),
                    text(&entry["url"])
                ));
            }
            Some("Network.requestWillBeSent") => {
                let url = text(&params["request"]["url"]);
                if !["file:", "data:", "about:"].iter().any(|scheme| url.starts_with(scheme)) {
                    self.requests.push(url);
                }
            }
            _ => {}
        }
        message
    }
}

/// The `file:` URL of `path`, which is absolute; bytes other than letters, digits and `/-._~`
/// percent-encoded.
pub fn file_url(path: &Path) -> String {
    assert!(path.is_absolute(), "{} is not absolute", path.display());
    let mut url = String::from("file://");
    for byte in path.to_str().expect("a UTF-8 path").bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// The width and height of the PNG `png`, from its header; a panic if it is no PNG.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR", "not a PNG");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}
