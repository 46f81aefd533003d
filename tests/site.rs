//! The static site of `flowdoc site`, looked at in headless Chromium as a person uses it: from
//! `file:` URLs, with real clicks, key presses and mouse moves (see `common/browser.rs`).
//! Without Chromium these tests only make the site, then say so and pass, unless
//! `FLOWDOC_REQUIRE_CHROMIUM` is set, as `.ci/run` sets it.

mod common;

use common::browser::{Browser, Page, file_url, png_size};
use common::text;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The site of the bundled pipeline (the repository's own `flowdoc.toml`), made by the built
/// binary into `dir/site`.
fn site(dir: &Path) -> PathBuf {
    let out = dir.join("site");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flowdoc"))
        .args(["--no-cache", "--root", env!("CARGO_MANIFEST_DIR"), "site", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "flowdoc site failed:\n{}", text(&output.stderr));
    out
}

/// The `flow.json` the site holds.
fn flow(site: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(site.join("flow.json")).unwrap()).unwrap()
}

fn open(page: &mut Page<'_>, site: &Path, file: &str) {
    page.navigate(&file_url(&site.join(file)));
}

/// The sorted `(data-from, data-to)` pairs of the highlighted arrows in the overview picture, the
/// index's first, as `"FROM -> TO"`.
const HIGHLIGHTED: &str =
    "[...document.querySelector('figure.picture svg').querySelectorAll('g.edge.highlight')]
    .map(edge => edge.dataset.from + ' -> ' + edge.dataset.to).sort()";

/// The arrows, in every picture of the page, that are highlighted but do not carry `OrderUpdated`
/// or carry it but are not highlighted.
const WRONGLY_LIT: &str = "[...document.querySelectorAll('figure.picture svg g.edge')]
    .filter(edge => edge.classList.contains('highlight')
        !== JSON.parse(edge.dataset.events || '[]').includes('OrderUpdated'))
    .map(edge => edge.outerHTML.slice(0, 160))";

/// The pairs of the edges of `flow` that carry `event`, as [`HIGHLIGHTED`] lists them.
fn edges_carrying(flow: &Value, event: &str) -> Vec<String> {
    let edges = flow["edges"].as_array().unwrap().iter();
    let carrying = edges.filter(|edge| edge["events"].as_array().unwrap().iter().any(|name| name == event));
    let pairs: BTreeSet<String> = carrying
        .map(|edge| format!("{} -> {}", edge["from"].as_str().unwrap(), edge["to"].as_str().unwrap()))
        .collect();
    assert!(!pairs.is_empty(), "no edge of flow.json carries {event}");
    pairs.into_iter().collect()
}

#[test]
fn browser_harness_sees_console_errors_and_requests() {
    let Some(browser) = Browser::launch() else { return };
    let dir = tempfile::tempdir().unwrap();
    common::write_files(
        dir.path(),
        &[
            (
                "strict.html",
                "<!doctype html><meta charset=utf-8>\
                 <meta http-equiv=Content-Security-Policy content=\"default-src 'none'; script-src 'self'; style-src 'self'\">\
                 <link rel=stylesheet href=page.css><title>strict</title><h1>Strict</h1>\
                 <script>window.inline = true;</script><script src=page.js></script>",
            ),
            ("page.css", "h1 { color: rgb(1, 2, 3); }"),
            (
                "page.js",
                "document.body.dataset.ran = 'yes';\nconsole.error('page.js says', 42);\nthrow new Error('page.js gives up');\n",
            ),
            (
                "open.html",
                "<!doctype html><title>open</title>\
                 <script>window.fetched = fetch('http://127.0.0.1:9/').then(() => 'answered', () => 'failed');</script>",
            ),
        ],
    );
    let mut page = browser.new_page();

    page.navigate(&file_url(&dir.path().join("strict.html")));
    // From file:, 'self' lets the page's own files in; the inline script is blocked.
    assert_eq!(page.eval("document.body.dataset.ran"), json!("yes"));
    assert_eq!(page.eval("getComputedStyle(document.querySelector('h1')).color"), json!("rgb(1, 2, 3)"));
    assert_eq!(page.eval("typeof window.inline"), json!("undefined"));
    let problems = page.problems().join("\n");
    assert!(problems.contains("console.error: \"page.js says\" 42"), "{problems}");
    assert!(problems.contains("page.js gives up"), "{problems}");
    assert!(problems.contains("Content Security Policy"), "{problems}");
    assert_eq!(page.problems().len(), 3, "{problems}");
    assert!(page.requests().is_empty(), "{:?}", page.requests());

    page.clear_reports();
    page.navigate(&file_url(&dir.path().join("open.html")));
    assert_eq!(page.eval("window.fetched"), json!("failed"));
    assert_eq!(page.requests(), ["http://127.0.0.1:9/"]);

    let thrown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| page.eval("no_such_thing()")));
    let message = thrown.expect_err("an exception is a panic");
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("ReferenceError: no_such_thing is not defined"), "{message}");
}

#[test]
fn every_page_loads_without_errors_or_requests() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    let mut pages: Vec<String> = walkdir::WalkDir::new(&site)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "html"))
        .map(|path| path.strip_prefix(&site).unwrap().to_str().unwrap().to_owned())
        .collect();
    for needed in
        ["index.html", "findings.html", "functions/orderapifunction.html", "events/orderupdated.html"]
    {
        assert!(pages.iter().any(|page| page == needed), "no {needed} in {pages:?}");
    }
    // The index first, so that its failure is the one reported.
    pages.sort_by_key(|page| page != "index.html");
    let mut page = browser.new_page();
    for file in &pages {
        open(&mut page, &site, file);
        let search = "document.querySelectorAll('header input[type=search]#search').length === 1
            && document.querySelectorAll('ul.search-results li[data-kind][data-name] a[href]').length > 0";
        assert_eq!(page.eval(search), json!(true), "{file} has no search box in its header or no entries");
        // Whatever ran at load has reported by the time this answer comes.
        page.eval("new Promise(resolve => setTimeout(resolve, 0))");
        assert!(page.problems().is_empty(), "{file}: {:#?}", page.problems());
        assert!(page.requests().is_empty(), "{file} sends requests: {:#?}", page.requests());
    }
}

#[test]
fn clicking_a_box_in_the_overview_opens_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    let mut page = browser.new_page();
    open(&mut page, &site, "index.html");
    page.expect_load(|page| page.click(r#"svg g.node[data-node="OrderApiFunction"]"#));
    let url = page.eval("location.href");
    assert!(url.as_str().unwrap().ends_with("/functions/orderapifunction.html"), "{url}");
    assert_eq!(page.eval("document.querySelector('h1').textContent.trim()"), json!("OrderApiFunction"));
    assert!(page.problems().is_empty(), "{:#?}", page.problems());
}

#[test]
fn typing_in_search_shows_the_matching_entries() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    let flow = flow(&site);
    let names = flow["events"].as_array().unwrap().iter().map(|event| &event["name"]);
    let names = names.chain(flow["nodes"].as_array().unwrap().iter().map(|node| &node["id"]));
    let expected: BTreeSet<&str> = names
        .map(|name| name.as_str().unwrap())
        .filter(|name| name.to_lowercase().contains("fulfil"))
        .collect();
    assert!(expected.len() > 1, "{expected:?}");
    let visible = "[...document.querySelectorAll('.search-results li')]
        .filter(li => li.checkVisibility({ visibilityProperty: true })).map(li => li.dataset.name).sort()";

    let mut page = browser.new_page();
    open(&mut page, &site, "index.html");
    assert_eq!(page.eval(visible), json!([]), "results show before anything is typed");
    page.press("/");
    assert_eq!(page.eval("document.activeElement.matches('input[type=search]#search')"), json!(true));
    assert_eq!(page.eval("document.activeElement.value"), json!(""), "the / is typed into the box");
    page.type_text("Fulfil");
    assert_eq!(page.eval("document.activeElement.value"), json!("Fulfil"));
    assert_eq!(page.eval_until(visible, &json!(expected)), json!(expected));

    // Each entry shown leads to a page of the site.
    let links = page.eval(
        "[...document.querySelectorAll('.search-results li')].filter(li => li.checkVisibility())
            .map(li => li.querySelector('a').getAttribute('href'))",
    );
    for link in links.as_array().unwrap() {
        let file = link.as_str().unwrap().split('#').next().unwrap();
        assert!(site.join(file).is_file(), "a search result links to {link}, which is not there");
    }
    assert!(page.problems().is_empty(), "{:#?}", page.problems());
}

#[test]
fn focusing_an_event_highlights_its_arrows() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    let expected = edges_carrying(&flow(&site), "OrderUpdated");
    let mut page = browser.new_page();
    open(&mut page, &site, "index.html");
    assert_eq!(page.eval(HIGHLIGHTED), json!([]));

    let focused = "document.activeElement.closest('[data-event=\"OrderUpdated\"]') !== null";
    let mut presses = 0;
    while page.eval(focused) != json!(true) {
        presses += 1;
        assert!(presses <= 400, "400 presses of Tab never reach OrderUpdated in the event list");
        page.press("Tab");
    }
    assert_lit(&mut page, &expected);

    page.eval("document.activeElement.blur()");
    assert_cleared(&mut page, "the focus left");
}

/// Exactly the arrows in `expected` (as [`HIGHLIGHTED`] lists them) are lit, and every lit one
/// carries `OrderUpdated`.
fn assert_lit(page: &mut Page<'_>, expected: &[String]) {
    assert_eq!(page.eval_until(HIGHLIGHTED, &json!(expected)), json!(expected));
    assert_eq!(
        page.eval(WRONGLY_LIT),
        json!([]),
        "arrows lit without OrderUpdated in data-events (a JSON array of names), or unlit with it"
    );
}

/// No arrow and no event entry is highlighted any more, after `what`, and nothing went wrong.
fn assert_cleared(page: &mut Page<'_>, what: &str) {
    assert_eq!(page.eval_until(HIGHLIGHTED, &json!([])), json!([]), "the highlight stays after {what}");
    assert_eq!(page.eval("document.querySelectorAll('.highlight').length"), json!(0));
    assert!(page.problems().is_empty(), "{:#?}", page.problems());
}

#[test]
fn hovering_an_event_highlights_its_arrows() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    let expected = edges_carrying(&flow(&site), "OrderUpdated");
    let mut page = browser.new_page();
    open(&mut page, &site, "index.html");

    let entry = page.centre(r#"[data-event="OrderUpdated"]"#);
    page.mouse_move(entry);
    assert_lit(&mut page, &expected);

    let away = page.centre("header");
    page.mouse_move(away);
    assert_cleared(&mut page, "the mouse left");
}

#[test]
fn pages_fit_desktop_and_phone_widths() {
    let dir = tempfile::tempdir().unwrap();
    let site = site(dir.path());
    let Some(browser) = Browser::launch() else { return };
    // Left where a person can look at them after a run.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut page = browser.new_page();
    for (width, height, mobile) in [(1280, 800, false), (390, 844, true)] {
        page.set_viewport(width, height, mobile);
        for file in ["index.html", "functions/orderapifunction.html", "events/orderupdated.html"] {
            open(&mut page, &site, file);
            // On a phone the layout is this wide only with <meta name="viewport"
            // content="width=device-width">.
            assert_eq!(
                page.eval_until("window.innerWidth", &json!(width)),
                json!(width),
                "{file} at {width}"
            );
            let [scroll, inner] =
                [page.eval("document.documentElement.scrollWidth"), page.eval("window.innerWidth")]
                    .map(|value| value.as_u64().unwrap());
            assert!(
                scroll <= inner,
                "{file} at {width}×{height}: the page is {scroll} px wide, the window {inner}"
            );
            let png = page.screenshot();
            assert_eq!(png_size(&png), (width, height), "{file}");
            let name = format!("{}-{width}.png", file.trim_end_matches(".html").replace('/', "-"));
            std::fs::write(shots.join(name), &png).unwrap();
        }
    }
    assert!(page.problems().is_empty(), "{:#?}", page.problems());
}
