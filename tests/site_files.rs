//! The onboarding site's files, without a browser: every page of the docs is there as HTML
//! under one strict Content-Security-Policy, every link inside the site leads to a file of the
//! site, the pictures link their boxes and arrows and say what each arrow carries, names from
//! the code never become markup, and the output is the same bytes every time. (`tests/site.rs`
//! drives the same site in headless Chromium.)

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::render::site;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn pipeline_site() -> BTreeMap<String, String> {
    let analysis = common::analyse(&DiskFiles::new(env!("CARGO_MANIFEST_DIR")), &[]);
    site::site(&analysis.flow, &analysis.findings)
}

/// The values of `attribute="..."` in `html`, unescaped of `&amp;`.
fn attributes<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// `folder/../x` → `x`, for hrefs relative to a page.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in href.split('#').next().unwrap().split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[test]
fn every_page_of_the_docs_is_a_page_of_the_site() {
    let analysis = common::analyse(&DiskFiles::new(env!("CARGO_MANIFEST_DIR")), &[]);
    let docs = flowdoc::render::docs::documents(
        &analysis.flow,
        &analysis.findings,
        &flowdoc::render::docs::DocsOptions { out_dir: None },
    );
    let site = site::site(&analysis.flow, &analysis.findings);
    let pages: BTreeSet<String> =
        docs.keys().filter_map(|path| path.strip_suffix(".md")).map(|stem| format!("{stem}.html")).collect();
    let html: BTreeSet<String> = site.keys().filter(|path| path.ends_with(".html")).cloned().collect();
    assert_eq!(html, pages);
    for page in
        ["index.html", "findings.html", "functions/orderapifunction.html", "resources/orderstable.html"]
    {
        assert!(site.contains_key(page), "{page}");
    }
    for file in ["site.css", "site.js", "search-index.js", "flow.json", ".flowdoc-generated"] {
        assert!(site.contains_key(file), "{file}");
    }
    assert!(!site.keys().any(|path| path.ends_with(".svg") || path.ends_with(".md")), "pictures are inline");
    assert_eq!(site["flow.json"], docs["flow.json"]);
}

#[test]
fn every_page_is_self_contained_under_a_strict_policy() {
    let site = pipeline_site();
    for (path, html) in site.iter().filter(|(path, _)| path.ends_with(".html")) {
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\""), "{path}");
        let policy = format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
            site::CONTENT_SECURITY_POLICY
        );
        assert!(html.contains(&policy), "{path}");
        assert!(site::CONTENT_SECURITY_POLICY.contains("default-src 'none'"));
        assert!(!site::CONTENT_SECURITY_POLICY.contains("unsafe"), "no inline script or style is allowed");
        assert!(!html.contains(" style=\"") && !html.contains("<style"), "{path}: no inline style");
        assert!(!html.contains(" onclick=") && !html.contains("<script>"), "{path}: no inline script");
        assert!(html.contains("<input type=\"search\" id=\"search\""), "{path}");
        for url in attributes(html, "src").into_iter().chain(attributes(html, "href")) {
            assert!(!url.contains("://") && !url.starts_with("//"), "{path}: {url} leaves the site");
        }
    }
}

#[test]
fn every_link_inside_the_site_leads_to_one_of_its_files() {
    let site = pipeline_site();
    let mut links = 0;
    for (path, html) in site.iter().filter(|(path, _)| path.ends_with(".html")) {
        assert!(!html.contains(".md\""), "{path} still links Markdown");
        for href in attributes(html, "href").into_iter().chain(attributes(html, "src")) {
            if href.starts_with('#') {
                continue;
            }
            let target = resolve(path, href);
            assert!(site.contains_key(&target), "{path}: {href} → {target} is not a file of the site");
            links += 1;
        }
    }
    assert!(links > 200, "{links} links checked");
}

#[test]
fn the_pictures_link_every_box_and_say_what_every_arrow_carries() {
    let site = pipeline_site();
    let index = &site["index.html"];
    let graph: serde_json::Value = serde_json::from_str(&site["flow.json"]).unwrap();
    // Every node of the overview is a link to its page.
    let nodes = attributes(index, "data-node");
    assert_eq!(
        nodes.len(),
        graph["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] != "resource").count()
    );
    assert!(index.contains("<a href=\"functions/orderapifunction.html\"><g class=\"node function\" data-node=\"OrderApiFunction\">"));
    assert!(index.contains(
        "<a href=\"resources/orderstable.html\"><g class=\"node table\" data-node=\"OrdersTable\">"
    ));
    // Every arrow carries the events of its edge in flow.json.
    let expected: BTreeSet<(String, String, String)> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let events: Vec<&str> =
                edge["events"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
            (
                edge["from"].as_str().unwrap().to_owned(),
                edge["to"].as_str().unwrap().to_owned(),
                serde_json::to_string(&events).unwrap(),
            )
        })
        .collect();
    let froms = attributes(index, "data-from");
    let tos = attributes(index, "data-to");
    let events = attributes(index, "data-events");
    let drawn: BTreeSet<(String, String, String)> = froms
        .iter()
        .zip(&tos)
        .zip(&events)
        .map(|((from, to), events)| ((*from).to_owned(), (*to).to_owned(), events.replace("&quot;", "\"")))
        .collect();
    assert_eq!(drawn, expected);
    // An arrow with one event leads to the event's page; each event link says its event.
    let function = &site["functions/orderapifunction.html"];
    assert!(
        function
            .contains("<a href=\"../events/orderplaced.html\" data-event=\"OrderPlaced\">OrderPlaced</a>")
    );
    assert!(
        index.contains("<a href=\"events/orderupdated.html\" data-event=\"OrderUpdated\">OrderUpdated</a>")
    );
    assert!(
        site["search-index.js"]
            .starts_with("window.flowdocSearch = [{\"kind\":\"event\",\"name\":\"OrderCancelled\"")
    );
}

#[test]
fn names_from_the_code_never_become_markup() {
    let mut files = MemoryFiles::new();
    files
        .insert(
            "template.yaml",
            "Resources:
  Topic: {Type: AWS::SNS::Topic}
  Publisher:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: publisher/, Runtime: provided.al2023, Handler: bootstrap}
",
        )
        .insert("publisher/Cargo.toml", "[package]\nname = \"publisher\"\n")
        .insert(
            "publisher/src/main.rs",
            "/// Says <img src=x onerror=alert(1)> & `</script>`.\n\
             #[event(name = \"<img src=x onerror=alert(2)>\\\"'\")]\nstruct Evil;\n\
             #[event_producer(\"<img src=x onerror=alert(2)>\\\"'\", to = \"Topic\")]\nfn publish() {}\n",
        );
    let analysis = common::analyse(&files, &["template.yaml"]);
    assert!(
        analysis.flow.events().keys().any(|event| event.contains("<img")),
        "the fixture has its hostile event"
    );
    let site = site::site(&analysis.flow, &analysis.findings);
    for (path, text) in &site {
        if path.ends_with(".html") {
            assert!(!text.contains("<img"), "{path}: {text}");
            assert!(!text.contains("onerror=alert(1)>"), "{path}");
        }
    }
    assert!(site["search-index.js"].contains("\\\"'"), "the index is JSON: {}", site["search-index.js"]);
    assert!(!site["search-index.js"].contains("</script>"));
}

#[test]
fn the_same_project_gives_the_same_bytes() {
    assert_eq!(pipeline_site(), pipeline_site());
}

#[test]
fn the_command_writes_the_site_as_a_whole() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("site");
    let run = |extra: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_flowdoc"));
        command.args(["--no-cache", "--root", env!("CARGO_MANIFEST_DIR"), "site", "--out"]).arg(&folder);
        for (name, value) in extra {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let first = run(&[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stderr).contains("index.html"));
    let read = |folder: &Path| -> BTreeMap<String, Vec<u8>> {
        walk(folder)
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(folder.join(&path)).unwrap();
                (path, bytes)
            })
            .collect()
    };
    let written = read(&folder);
    let expected: BTreeMap<String, Vec<u8>> =
        pipeline_site().into_iter().map(|(path, text)| (path, text.into_bytes())).collect();
    assert_eq!(written, expected);

    // A run that fails halfway leaves the site as it was.
    std::fs::write(folder.join("index.html"), "old").unwrap();
    let failed = run(&[("FLOWDOC_TEST_FAULT", "fail:3")]);
    assert_eq!(failed.status.code(), Some(2), "{}", String::from_utf8_lossy(&failed.stderr));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("the site was not changed"));
    assert_eq!(std::fs::read_to_string(folder.join("index.html")).unwrap(), "old");
    // The next run finds the page edited by hand by its bytes, writes it and keeps the rest.
    let again = run(&[]);
    assert!(again.status.success());
    assert_eq!(read(&folder), expected);
    let said = String::from_utf8_lossy(&again.stderr);
    let kept = expected.len() - 1;
    assert!(said.contains(&format!("wrote 1 file to {}, kept {kept} unchanged", folder.display())), "{said}");
    let unchanged = run(&[]);
    assert!(unchanged.status.success());
    let said = String::from_utf8_lossy(&unchanged.stderr);
    assert!(said.contains(&format!("{} is up to date", folder.display())), "{said}");
    assert_eq!(read(&folder), expected);
}

/// Every file under `folder`, as a `/`-separated relative path.
fn walk(folder: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(folder).unwrap().to_string_lossy().replace('\\', "/");
                files.push(relative);
            }
        }
    }
    files.sort();
    files
}
