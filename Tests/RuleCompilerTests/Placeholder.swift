import Testing

@Test func placeholderRuleCompilerTests() {}
