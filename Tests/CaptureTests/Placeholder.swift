import Testing

@Test func placeholderCapture() { #expect(Bool(true)) }
