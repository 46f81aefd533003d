//! The bodies the API accepts and the checks they must pass before anything is stored.

use order_events::OrderLine;
use serde::Deserialize;

/// The body of `POST /orders`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// Who places the order.
    pub customer_id: String,
    /// Where notifications about the order go.
    pub customer_email: String,
    /// The ISO 4217 code of the currency the prices are in, as in `"EUR"`.
    pub currency: String,
    /// What is ordered.
    pub lines: Vec<OrderLine>,
}

/// The body of `PUT /orders/{id}`: the order's new lines, which replace the old ones.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderChange {
    /// What is ordered now.
    pub lines: Vec<OrderLine>,
}

impl NewOrder {
    /// Checks the order and returns what it comes to in cents, or what is wrong with it.
    pub fn validate(&self) -> Result<u64, String> {
        if self.customer_id.trim().is_empty() {
            return Err("customer_id must not be empty".to_owned());
        }
        if !is_email(&self.customer_email) {
            return Err(format!("customer_email {:?} is not an email address", self.customer_email));
        }
        if !(self.currency.len() == 3 && self.currency.bytes().all(|byte| byte.is_ascii_uppercase())) {
            return Err(format!("currency {:?} is not an ISO 4217 code such as \"EUR\"", self.currency));
        }
        total_cents(&self.lines)
    }
}

impl OrderChange {
    /// Checks the new lines and returns what the order comes to with them, in cents.
    pub fn validate(&self) -> Result<u64, String> {
        total_cents(&self.lines)
    }
}

/// What the lines come to, or what is wrong with them.
fn total_cents(lines: &[OrderLine]) -> Result<u64, String> {
    if lines.is_empty() {
        return Err("an order needs at least one line".to_owned());
    }
    lines.iter().enumerate().try_fold(0_u64, |total, (index, line)| {
        if line.sku.trim().is_empty() {
            return Err(format!("line {}: sku must not be empty", index + 1));
        }
        if line.quantity == 0 {
            return Err(format!("line {}: quantity must be at least 1", index + 1));
        }
        u64::from(line.quantity)
            .checked_mul(line.unit_price_cents)
            .and_then(|price| total.checked_add(price))
            .ok_or_else(|| "the order's total is too large".to_owned())
    })
}

/// Whether `address` looks like `someone@example.com`; whether it is deliverable only the mail
/// server can tell.
fn is_email(address: &str) -> bool {
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: u32, unit_price_cents: u64) -> OrderLine {
        OrderLine { sku: sku.to_owned(), quantity, unit_price_cents }
    }

    fn order() -> NewOrder {
        NewOrder {
            customer_id: "customer-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: vec![line("MUG-BLUE", 2, 1250), line("TEA-EARL-GREY", 1, 499)],
        }
    }

    #[test]
    fn valid_order_comes_to_the_sum_of_its_lines() {
        assert_eq!(order().validate(), Ok(2999));
    }

    #[test]
    fn invalid_orders_say_what_is_wrong() {
        type Edit = fn(&mut NewOrder);
        let cases: &[(Edit, &str)] = &[
            (|o| o.customer_id = " ".into(), "customer_id must not be empty"),
            (|o| o.customer_email = "ada.example.com".into(), "is not an email address"),
            (|o| o.customer_email = "ada@example".into(), "is not an email address"),
            (|o| o.customer_email = "ada lovelace@example.com".into(), "is not an email address"),
            (|o| o.currency = "eur".into(), "is not an ISO 4217 code"),
            (|o| o.lines.clear(), "an order needs at least one line"),
            (|o| o.lines[1].quantity = 0, "line 2: quantity must be at least 1"),
            (|o| o.lines[0].sku = String::new(), "line 1: sku must not be empty"),
            (|o| o.lines[0].unit_price_cents = u64::MAX, "the order's total is too large"),
        ];
        for (change, expected) in cases {
            let mut order = order();
            change(&mut order);
            let error = order.validate().unwrap_err();
            assert!(error.contains(expected), "{order:?}: got {error:?}, expected {expected:?}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let body =
            r#"{"lines": [{"sku": "MUG-BLUE", "quantity": 1, "unit_price_cents": 1250}], "total_cents": 1}"#;
        let error = serde_json::from_str::<OrderChange>(body).unwrap_err();
        assert!(error.to_string().contains("unknown field `total_cents`"), "{error}");
    }
}
