import Testing

@Test func placeholderRuleEngineTests() {}
