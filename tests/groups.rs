//! Large systems are drawn in parts: a synthetic monorepo (`examples/synth`) too large for one
//! picture gets an overview of parts, a page per part, and pictures that all fit.

mod common;
#[path = "../examples/synth/generate/mod.rs"]
mod generate;

use flowdoc::Analysis;
use flowdoc::files::MemoryFiles;
use flowdoc::model::Flow;
use flowdoc::render::diagram::{self, NodeLook};
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::render::groups::{self, Grouping};
use std::collections::{BTreeMap, BTreeSet};

fn synthetic(crates: usize, single_template: bool) -> Analysis {
    let mut files = MemoryFiles::new();
    for (path, contents) in generate::generate(&generate::Options { crates, seed: 7, single_template }) {
        files.insert(path, contents);
    }
    common::analyse(&files, &[])
}

#[test]
fn a_small_system_is_drawn_whole() {
    let flow = synthetic(12, false).flow;
    let whole = diagram::overview(&flow);
    assert!(groups::fits(&whole), "{} boxes", whole.nodes.len());
    let grouping = Grouping::of(&flow, &whole);
    assert!(grouping.parts.is_empty());
    assert_eq!(grouping.overview(&whole), whole);
}

#[test]
fn a_large_system_is_drawn_in_parts_and_every_picture_fits() {
    for single_template in [false, true] {
        let Analysis { flow, findings, .. } = synthetic(150, single_template);
        let whole = diagram::overview(&flow);
        assert!(!groups::fits(&whole), "the test needs a system too large for one picture");
        let pictures = docs::pictures(&flow);
        let grouping = &pictures.grouping;
        assert!(grouping.parts.len() >= 2, "{single_template}: {:?}", grouping.parts.len());

        // Every drawn resource is in exactly one top-level part.
        let drawn: BTreeSet<&String> = whole.nodes.iter().map(|node| &node.id).collect();
        for id in &drawn {
            let holders = grouping.parts.iter().filter(|part| part.members.contains(*id)).count();
            assert_eq!(holders, 1, "{id} is in {holders} parts");
        }
        // Parts of parts divide their parent.
        for part in grouping.all() {
            if !part.parts.is_empty() {
                let union: BTreeSet<&String> = part.parts.iter().flat_map(|inner| &inner.members).collect();
                assert_eq!(union, part.members.iter().collect(), "{}", part.name);
            }
        }
        assert!(pictures.overview.nodes.iter().all(|node| node.look == NodeLook::Group));
        for (path, picture) in &pictures.files {
            assert!(
                groups::fits(picture),
                "{path}: {} boxes, {} arrows",
                picture.nodes.len(),
                picture.edges.len()
            );
            assert!(!picture.nodes.is_empty(), "{path} is empty");
        }
        let stems: BTreeSet<&String> = grouping.all().iter().map(|part| &part.stem).collect();
        assert_eq!(stems.len(), grouping.all().len(), "page names are unique");

        // Pages exist for every part, and every link between pages resolves.
        let files = docs::documents(&flow, &findings, &DocsOptions { out_dir: None });
        for part in grouping.all() {
            assert!(files.contains_key(&format!("groups/{}.md", part.stem)), "{}", part.name);
            assert!(files.contains_key(&format!("groups/{}.svg", part.stem)), "{}", part.name);
        }
        for (path, text) in files.iter().filter(|(path, _)| path.ends_with(".md")) {
            let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
            for link in text.split("](").skip(1).filter_map(|rest| rest.split(')').next()) {
                if link.starts_with("http") || link.starts_with('#') || link.contains("../..") {
                    continue;
                }
                let target = link.split('#').next().unwrap_or(link);
                let resolved = if let Some(up) = target.strip_prefix("../") {
                    up.to_owned()
                } else if folder.is_empty() {
                    target.to_owned()
                } else {
                    format!("{folder}/{target}")
                };
                assert!(files.contains_key(&resolved), "{path} links to {link}, which is not written");
            }
        }
        assert!(files["index.md"].contains("## Parts"), "the index lists the parts");
    }
}

/// The flow of a template of `count` queues, each with a redrive policy to a dead-letter queue
/// of its own, and nothing else.
fn queues_and_their_dead_letter_queues(count: usize) -> Flow {
    let mut template = String::from("Resources:\n");
    for index in 0..count {
        template.push_str(&format!(
            "  Queue{index:03}:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead{index:03}.Arn\n        maxReceiveCount: 3\n  Dead{index:03}:\n    Type: AWS::SQS::Queue\n"
        ));
    }
    let mut files = MemoryFiles::new();
    files.insert("template.yaml", template);
    common::analyse(&files, &["template.yaml"]).flow
}

/// A template of queues and their dead-letter queues with hardly a function: parts are cut in
/// alphabetical ranges of the resources, and every picture still fits.
#[test]
fn resources_without_functions_are_drawn_in_parts_too() {
    let flow = queues_and_their_dead_letter_queues(300);
    let whole = diagram::overview(&flow);
    assert_eq!(whole.nodes.len(), 600);
    let pictures = docs::pictures(&flow);
    assert!(pictures.grouping.parts.len() >= 2);
    for (path, picture) in &pictures.files {
        assert!(
            groups::fits(picture),
            "{path}: {} boxes, {} arrows",
            picture.nodes.len(),
            picture.edges.len()
        );
    }
}

/// A picture too large to lay out in reasonable time is a note, at once.
#[test]
fn a_picture_too_large_to_lay_out_is_a_note() {
    let flow = queues_and_their_dead_letter_queues(200);
    let whole = diagram::overview(&flow);
    assert!(whole.nodes.len() > flowdoc::render::svg::MAX_LAYOUT_NODES);
    let svg = flowdoc::render::svg::render(&whole);
    assert!(svg.contains("Too large to draw: 400 boxes and 200 arrows"), "{svg}");
}

/// In the site of a system drawn in parts, each part's box in a picture links to the part's
/// page, and the arrows between parts carry the events their labels name.
#[test]
fn the_site_links_the_boxes_of_parts_to_their_pages() {
    let Analysis { flow, findings, .. } = synthetic(400, false);
    let site = flowdoc::render::site::site(&flow, &findings);
    let parts: Vec<&String> = site.keys().filter(|path| path.starts_with("groups/")).collect();
    assert!(parts.len() >= 2, "{parts:?}");
    let index = &site["index.html"];
    let boxes: Vec<&str> =
        index.split("data-node=\"group:").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
    assert!(boxes.len() >= 2, "the overview shows the top-level parts");
    for stem in boxes {
        let page = format!("groups/{stem}.html");
        assert!(site.contains_key(&page), "{page}");
        let linked = format!("<a href=\"{page}\"><g class=\"node group\" data-node=\"group:{stem}\">");
        assert!(index.contains(&linked), "{linked}");
    }
    // An arrow between parts names three of its events (or routes) and how many more; it
    // carries all of its events, the ones its label leaves out too.
    let pictures = docs::pictures(&flow);
    let mut beyond_the_label = 0;
    for edge in pictures.files.values().flat_map(|picture| &picture.edges) {
        for line in &edge.label {
            if flow.events().contains_key(line) {
                assert!(edge.events.contains(line), "{edge:?}");
            }
        }
        if edge.label.last().is_some_and(|line| line.ends_with(" more")) {
            beyond_the_label += edge.events.iter().filter(|event| !edge.label.contains(event)).count();
        }
    }
    assert!(
        beyond_the_label > 0,
        "the test needs an arrow between parts with more events than its label names"
    );
    let arrows = index.matches("<g class=\"edge ").count();
    assert!(arrows > 0);
    assert!(!index.contains("data-events=\"[]\""), "every arrow between parts carries events");
    // Pages of parts link their members' pages, which exist.
    for part in parts {
        for href in site[part].split("href=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            if let Some(target) = href.strip_prefix("../") {
                let target = target.split('#').next().unwrap();
                assert!(site.contains_key(target), "{part}: {href}");
            }
        }
    }
}

/// Whether a part fits is kept in the cache with the pictures: a second grouping with the cache
/// of the first lays nothing out again and splits the same way, and so do the docs.
#[test]
fn widths_kept_in_the_cache_split_the_same_way() {
    use flowdoc::cache::{Cache, Kind};
    let Analysis { flow, findings, .. } = synthetic(150, false);
    let whole = diagram::overview(&flow);
    let uncached = Grouping::of(&flow, &whole);
    let first = Cache::empty();
    assert_eq!(Grouping::of_cached(&flow, &whole, &first), uncached);
    let measured = first.usage(Kind::Pictures).misses;
    assert!(measured > 0, "parts were laid out to see whether they fit");
    let kept = first.packs_to_write().into_iter().find(|(kind, _)| *kind == Kind::Pictures).unwrap().1;

    let mut second = Cache::empty();
    second.read_pack(Kind::Pictures, kept).unwrap();
    assert_eq!(Grouping::of_cached(&flow, &whole, &second), uncached);
    assert_eq!(second.usage(Kind::Pictures).hits, measured);
    assert_eq!(second.usage(Kind::Pictures).misses, 0);
    let options = DocsOptions { out_dir: Some("docs/flow".into()) };
    let documents = docs::documents_cached(&flow, &findings, &options, &second);
    assert!(documents.values().any(|document| matches!(document, docs::Document::Packed(_))));
    let texts: BTreeMap<String, String> =
        documents.into_iter().map(|(path, document)| (path, document.into_text())).collect();
    assert_eq!(texts, docs::documents(&flow, &findings, &options));
}
