//! The attributes as users meet them: well-formed ones compile and leave the item alone, and each
//! kind of malformed argument is one compile error at the offending token.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
