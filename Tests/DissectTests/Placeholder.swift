import Testing

@Test func placeholderDissect() { #expect(Bool(true)) }
