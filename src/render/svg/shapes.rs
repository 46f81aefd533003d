//! The shape of each kind of node, as SVG: a cylinder for tables and buckets, a striped box
//! for queues, a pill for topics and buses, a slanted box for streams, a trapezoid for load
//! balancers, a folded page for log groups, a tabbed card for user pools, an octagon for alarms.

use super::draw::n;
use crate::render::diagram::NodeLook;

/// The shape of a node of `look` in the box at (x, y, w, h), as SVG.
pub(super) fn shape(look: NodeLook, x: f64, y: f64, w: f64, h: f64) -> String {
    let (x2, y2) = (x + w, y + h);
    match look {
        NodeLook::Function => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\"/>",
            n(x),
            n(y),
            n(w),
            n(h)
        ),
        NodeLook::Table | NodeLook::Bucket => {
            // A cylinder: the body with its bottom rim, then the top.
            let ry = 6.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} V {} A {} {} 0 0 0 {} {} V {} Z\"/><ellipse class=\"shape\" cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"/>",
                n(x),
                n(y + ry),
                n(y2 - ry),
                n(w / 2.0),
                n(ry),
                n(x2),
                n(y2 - ry),
                n(y + ry),
                n(x + w / 2.0),
                n(y + ry),
                n(w / 2.0),
                n(ry)
            )
        }
        NodeLook::Queue | NodeLook::DeadLetter => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\"/><path class=\"shape\" d=\"M {} {} V {} M {} {} V {}\"/>",
            n(x),
            n(y),
            n(w),
            n(h),
            n(x2 - 10.0),
            n(y),
            n(y2),
            n(x2 - 6.0),
            n(y),
            n(y2)
        ),
        NodeLook::Topic | NodeLook::Bus => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"/>",
            n(x),
            n(y),
            n(w),
            n(h),
            n(h / 2.0)
        ),
        NodeLook::Stream => {
            let slant = 10.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} H {} Z\"/>",
                n(x + slant),
                n(y),
                n(x2),
                n(x2 - slant),
                n(y2),
                n(x)
            )
        }
        NodeLook::Api => {
            let cut = 10.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} L {} {} H {} L {} {} Z\"/>",
                n(x + cut),
                n(y),
                n(x2 - cut),
                n(x2),
                n(y + h / 2.0),
                n(x2 - cut),
                n(y2),
                n(x + cut),
                n(x),
                n(y + h / 2.0)
            )
        }
        NodeLook::Balancer => {
            // A trapezoid, wide at the bottom: one in, spread out.
            let slope = 12.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} H {} Z\"/>",
                n(x + slope),
                n(y),
                n(x2 - slope),
                n(x2),
                n(y2),
                n(x)
            )
        }
        NodeLook::Logs => {
            // A page with its corner folded.
            let fold = 10.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} V {} H {} Z\"/><path class=\"shape\" d=\"M {} {} V {} H {}\"/>",
                n(x),
                n(y),
                n(x2 - fold),
                n(x2),
                n(y + fold),
                n(y2),
                n(x),
                n(x2 - fold),
                n(y),
                n(y + fold),
                n(x2)
            )
        }
        NodeLook::Users => {
            // A card with a tab on its top left.
            let (tab, step) = (w * 0.35, 6.0);
            format!(
                "<path class=\"shape\" d=\"M {} {} V {} H {} L {} {} H {} V {} Z\"/>",
                n(x),
                n(y2),
                n(y),
                n(x + tab),
                n(x + tab + step),
                n(y + step),
                n(x2),
                n(y2)
            )
        }
        NodeLook::Alarm => {
            // An octagon, as a warning sign.
            let cut = 8.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} V {} L {} {} H {} L {} {} V {} Z\"/>",
                n(x + cut),
                n(y),
                n(x2 - cut),
                n(x2),
                n(y + cut),
                n(y2 - cut),
                n(x2 - cut),
                n(y2),
                n(x + cut),
                n(x),
                n(y2 - cut),
                n(y + cut)
            )
        }
        NodeLook::Group => {
            // A stack of two cards: the group stands for many resources.
            format!(
                "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/><rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
                n(x + 4.0),
                n(y - 4.0),
                n(w - 4.0),
                n(h - 4.0),
                n(x),
                n(y),
                n(w - 4.0),
                n(h)
            )
        }
        NodeLook::Rule | NodeLook::Schedule | NodeLook::Workflow | NodeLook::External | NodeLook::Other => {
            format!(
                "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
                n(x),
                n(y),
                n(w),
                n(h)
            )
        }
    }
}
