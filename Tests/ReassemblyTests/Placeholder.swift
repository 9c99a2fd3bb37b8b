import Testing

@Test func placeholderReassembly() { #expect(Bool(true)) }
